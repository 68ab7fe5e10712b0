import "server-only";
import { flushLogger, getLogger } from "@/lib/logger";
import { actionForSignal } from "./plan";
import { runShutdown } from "./sequence";
import { state, type DrainableServer, type ShutdownHook, type ShutdownStage } from "./state";

export type { ConnectionCounts, DrainableServer } from "./state";

/**
 * Registers cleanup to run during shutdown, after in-flight requests finished: each owner registers
 * its own (the database pool, the health connection, Redis, Sentry), so this concern depends on none
 * of them. "flush" hooks run first, then "connections" hooks.
 */
export function onShutdown(name: string, hook: ShutdownHook, stage: ShutdownStage = "flush"): void {
  state.hooks.set(name, { run: hook, stage });
}

/** True from the first SIGTERM/SIGINT on: readiness answers 503 so load balancers stop routing here. */
export function isShuttingDown(): boolean {
  return state.phase !== "running";
}

function handleSignal(signal: NodeJS.Signals): void {
  const action = actionForSignal(state.startedAt, Date.now());
  if (action === "ignore-duplicate") return;
  if (action === "exit-now") {
    getLogger().warn({ component: "shutdown", signal }, "second signal: exiting now");
    flushLogger();
    process.exit(1);
  }
  void runShutdown(signal).catch((error: unknown) => {
    getLogger().fatal({ component: "shutdown", err: error }, "shutdown failed");
    flushLogger();
    process.exit(1);
  });
}

/**
 * Installs SIGTERM/SIGINT handling for the server the process owns (src/lib/http starts it and
 * registers itself here): drain, then close, then clean up. Next's own signal handling belongs to
 * its generated server, which Slipway does not run.
 */
export function installShutdownHandlers(server: DrainableServer): void {
  state.server = server;
  if (state.signalsInstalled) return;
  state.signalsInstalled = true;
  process.on("SIGTERM", handleSignal);
  process.on("SIGINT", handleSignal);
}
