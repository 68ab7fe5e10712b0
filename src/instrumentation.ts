/**
 * Runs once when a server process starts (before it serves). Fails fast on invalid configuration:
 * one message naming every bad variable, no stack trace, exit code 1. Then installs graceful
 * shutdown (drain, close, clean up) for the standalone server.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { validateConfigAtStartup } = await import("@/lib/env/startup");
  validateConfigAtStartup();
  const { prepareAuthAtStartup } = await import("@/lib/auth/startup");
  prepareAuthAtStartup();
  const { installShutdownHandlers } = await import("@/lib/shutdown");
  installShutdownHandlers();
}
