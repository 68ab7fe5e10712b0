import { ConfigError, getEnv } from "./index";

/** Validates configuration once at server start; on failure prints one readable message and exits. */
export function validateConfigAtStartup(): void {
  try {
    getEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`\n${error.message}\n\n`);
    process.exit(1);
  }
}
