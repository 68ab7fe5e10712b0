import { readFileSync } from "node:fs";
import type { z } from "zod";
import type { SecretVariable } from "./client";
import { SECRET_VARIABLES, serverEnvSchema, type ServerEnv } from "./schema";
import { nodeEnvOf, type NodeEnv, type RawEnv } from "./values";

/** Turning raw environment variables into validated config. Pure apart from reading secret files. */

export { nodeEnvOf, releaseOf, secretValuesOf, type NodeEnv, type RawEnv, type Release } from "./values";

export interface ConfigProblem {
  variable: string;
  reason: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(formatConfigProblems(problems));
    this.name = "ConfigError";
  }
}

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map(({ variable, reason }) => `  - ${variable}: ${reason}`);
  return [
    `Invalid configuration: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    ...lines,
    "See .env.example for every variable and its format.",
  ].join("\n");
}

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, "utf8");

/**
 * One secret, the way every reader takes it (the app, the migrator, the build): `NAME`, or the
 * trimmed content of the file `NAME_FILE` names (Docker and compose secrets in /run/secrets/).
 * Setting both is a problem, as is a file that cannot be read. An empty file means unset (the
 * secrets generator creates optional secrets, such as Clerk's keys in local mode, empty).
 */
function readSecret(
  name: SecretVariable,
  raw: RawEnv,
  readFile: ReadFile = readUtf8,
): { value?: string; problem?: ConfigProblem; file?: string } {
  const fileVariable = `${name}_FILE`;
  const path = raw[fileVariable]?.trim();
  const direct = raw[name];
  if (!path) return { value: direct === "" ? undefined : direct };
  if (direct !== undefined && direct !== "") {
    return { problem: { variable: fileVariable, reason: `set either ${name} or ${fileVariable}, not both` } };
  }
  try {
    return { value: readFile(path).trim() || undefined, file: path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : "cannot be read";
    return { problem: { variable: fileVariable, reason: `file ${path} ${why}` } };
  }
}

/** A secret that may be unset (undefined); throws ConfigError when NAME_FILE is wrong. */
export function optionalSecret(name: SecretVariable, raw: RawEnv, readFile?: ReadFile): string | undefined {
  const { value, problem } = readSecret(name, raw, readFile);
  if (problem) throw new ConfigError([problem]);
  return value;
}

/** A secret a command-line tool cannot run without (the migrator's DATABASE_URL); throws ConfigError. */
export function requireSecret(name: SecretVariable, raw: RawEnv, readFile?: ReadFile): string {
  const { value, problem, file } = readSecret(name, raw, readFile);
  if (problem) throw new ConfigError([problem]);
  if (value) return value;
  throw new ConfigError([
    file
      ? { variable: `${name}_FILE`, reason: `file ${file} is empty` }
      : { variable: name, reason: `${name} (or ${name}_FILE) is required` },
  ]);
}

/** Replaces each `NAME_FILE` with the content of that file as `NAME` (see readSecret). */
export function resolveFileSecrets(raw: RawEnv, readFile?: ReadFile): { env: RawEnv; problems: ConfigProblem[] } {
  const env: RawEnv = { ...raw };
  const problems: ConfigProblem[] = [];
  for (const name of SECRET_VARIABLES) {
    delete env[`${name}_FILE`];
    const { value, problem } = readSecret(name, raw, readFile);
    if (problem) problems.push(problem);
    else if (value !== undefined) env[name] = value;
  }
  return { env, problems };
}

function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    variable: issue.path.join(".") || "(environment)",
    // Zod's default messages for enums and types name the expected values, never the received one.
    reason: issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message,
  }));
}

/** Rules that span several variables. */
function crossFieldProblems(env: ServerEnv, nodeEnv: NodeEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const hasClerkKeys = Boolean(env.CLERK_SECRET_KEY && env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY);
  if (env.AUTH_MODE === "clerk" && !hasClerkKeys) {
    problems.push({
      variable: "AUTH_MODE",
      reason: "clerk mode needs CLERK_SECRET_KEY and NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
    });
  }
  if (nodeEnv === "production" && !hasClerkKeys && env.AUTH_MODE !== "local") {
    problems.push({
      variable: "AUTH_MODE",
      reason:
        "production needs Clerk (CLERK_SECRET_KEY and NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY), or AUTH_MODE=local set explicitly for a public demo",
    });
  }
  if (
    nodeEnv === "production" &&
    authModeOf(env) === "clerk" &&
    !env.APP_URL &&
    !(env.CLERK_AUTHORIZED_PARTIES && env.CLERK_AUTHORIZED_PARTIES.length > 0)
  ) {
    problems.push({
      variable: "CLERK_AUTHORIZED_PARTIES",
      reason:
        "production with Clerk needs CLERK_AUTHORIZED_PARTIES or APP_URL (the origins allowed as a session token's azp)",
    });
  }
  if (
    nodeEnv === "production" &&
    env.AUTH_MODE === "local" &&
    (env.CLERK_SECRET_KEY || env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)
  ) {
    // Local mode signs anyone in as any listed user: never over a deployment that has real (Clerk) users.
    problems.push({
      variable: "AUTH_MODE",
      reason:
        "local mode is refused in production while Clerk keys are set (it would let anyone sign in as your users); unset AUTH_MODE to use Clerk, or remove the Clerk keys for a public demo",
    });
  }
  if (nodeEnv === "production" && env.AUTH_MODE === "local" && !env.SESSION_SECRET) {
    problems.push({ variable: "SESSION_SECRET", reason: "is required in production with AUTH_MODE=local" });
  }
  if (env.REDIS_REQUIRED && !env.REDIS_URL) {
    problems.push({ variable: "REDIS_REQUIRED", reason: "is true but REDIS_URL is not set" });
  }
  return problems;
}

export type AuthMode = "clerk" | "local";

export function authModeOf(
  env: Pick<ServerEnv, "AUTH_MODE" | "CLERK_SECRET_KEY" | "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY">,
): AuthMode {
  if (env.AUTH_MODE) return env.AUTH_MODE;
  return env.CLERK_SECRET_KEY && env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ? "clerk" : "local";
}

/** Validates a raw environment; throws ConfigError listing every problem. */
export function parseServerEnv(raw: RawEnv, readFile?: ReadFile): Readonly<ServerEnv> {
  const { env, problems } = resolveFileSecrets(raw, readFile);
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) problems.push(...problemsFromZod(parsed.error));
  else problems.push(...crossFieldProblems(parsed.data, nodeEnvOf(raw)));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(parsed.data as ServerEnv);
}
