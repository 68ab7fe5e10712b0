import "server-only";
import { flushLogger, getLogger } from "@/lib/logger";
import { actionForSignal } from "./plan";
import { installRequestTracker } from "./request-tracker";
import { runShutdown } from "./sequence";
import { state, type ShutdownHook, type ShutdownStage } from "./state";

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
 * Installs SIGTERM/SIGINT handling for the standalone server. Only when NEXT_MANUAL_SIG_HANDLE=true
 * (set where the server starts: Dockerfile, `npm start`): otherwise Next's own handler is active
 * and exits at once with no drain, and a second handler would race it.
 */
export function installShutdownHandlers(): void {
  if (state.signalsInstalled) return;
  if (process.env.NEXT_MANUAL_SIG_HANDLE !== "true") {
    if (process.env.NODE_ENV === "production") {
      getLogger().warn(
        { component: "shutdown" },
        "NEXT_MANUAL_SIG_HANDLE is not true: Next.js handles SIGTERM itself, with no drain period and no cleanup",
      );
    }
    return;
  }
  state.signalsInstalled = true;
  installRequestTracker();
  process.on("SIGTERM", handleSignal);
  process.on("SIGINT", handleSignal);
}
