import { closeDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { markDraining } from "@/lib/health";
import { flushLogger, getLogger, type Logger } from "@/lib/logger";
import { closeRedis } from "@/lib/redis";
import { exitCodeFor, remainingMs } from "./plan";
import { askToCloseConnection } from "./request-tracker";
import { state, type ShutdownHook } from "./state";

/** Each cleanup step (hooks, database, Redis) gets at least this long, even after a forced close. */
const CLEANUP_FLOOR_MS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves true once every connection has ended, false if `ms` ran out first. */
function waitForConnectionsToEnd(ms: number): Promise<boolean> {
  const server = state.server;
  const listening = server?.listening ?? false;
  return new Promise((resolve) => {
    const onResponseClosed = () => {
      // A connection whose response just ended is idle now: close it rather than wait for the client.
      server?.closeIdleConnections();
      if (!listening && state.inFlight.size === 0) finish(true);
    };
    const timer = setTimeout(() => finish(false), ms);
    function finish(ended: boolean) {
      clearTimeout(timer);
      state.onResponseClosed.delete(onResponseClosed);
      resolve(ended);
    }
    state.onResponseClosed.add(onResponseClosed);
    if (server && listening) {
      // Stop accepting; the callback runs once the last connection has ended.
      server.close(() => finish(true));
      server.closeIdleConnections();
    } else if (state.inFlight.size === 0) {
      // No connection was ever accepted (or the listener is already closed) and nothing is running.
      finish(true);
    }
  });
}

async function runStep(log: Logger, name: string, step: ShutdownHook, ms: number): Promise<boolean> {
  try {
    await Promise.race([
      Promise.resolve().then(step),
      sleep(ms).then(() => Promise.reject(new Error(`did not finish within ${ms} ms`))),
    ]);
    return true;
  } catch (error) {
    log.error({ step: name, err: error }, "shutdown step failed");
    return false;
  }
}

/**
 * The shutdown sequence (docs/health-checks.md#shutdown):
 * 1. readiness answers 503 at once; 2. keep serving for SHUTDOWN_DRAIN_SECONDS so load balancers
 * stop routing here; 3. stop accepting and close idle keep-alive connections; 4. wait for in-flight
 * requests up to SHUTDOWN_TIMEOUT_SECONDS, then cut them; 5. run onShutdown hooks, close the
 * database pool and Redis, flush logs; 6. exit 0, or 1 if requests were cut or cleanup failed.
 */
export async function runShutdown(signal: NodeJS.Signals): Promise<never> {
  const env = getEnv();
  const drainMs = env.SHUTDOWN_DRAIN_SECONDS * 1000;
  const timeoutMs = env.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  const log = getLogger().child({ component: "shutdown" });

  state.phase = "draining";
  state.startedAt = Date.now();
  markDraining();
  for (const response of state.inFlight) askToCloseConnection(response);
  log.info(
    { signal, drainSeconds: env.SHUTDOWN_DRAIN_SECONDS, timeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS },
    "shutdown started: readiness is 503, still serving while load balancers drain",
  );
  await sleep(drainMs);

  state.phase = "closing";
  const closingAt = Date.now();
  for (const response of state.inFlight) askToCloseConnection(response);
  log.info({ inFlight: state.inFlight.size }, "no longer accepting connections; waiting for in-flight requests");
  const ended = await waitForConnectionsToEnd(timeoutMs);
  const requestsCut = !ended && state.inFlight.size > 0;
  if (!ended) {
    log.warn({ inFlight: state.inFlight.size }, "shutdown timeout reached: closing remaining connections");
    state.server?.closeAllConnections();
  }

  // Cleanup shares what is left of the timeout; each stage gets at least CLEANUP_FLOOR_MS, so the
  // worst case from signal to exit is drain + timeout + 2 x CLEANUP_FLOOR_MS.
  state.phase = "cleaning-up";
  const budget = () => remainingMs(closingAt, timeoutMs, Date.now(), CLEANUP_FLOOR_MS);
  const hooksBudget = budget();
  const hookResults = await Promise.all([...state.hooks].map(([name, hook]) => runStep(log, name, hook, hooksBudget)));
  const closeBudget = budget();
  const [dbClosed, redisClosed] = await Promise.all([
    runStep(log, "database", () => closeDb(Math.ceil(closeBudget / 1000)), closeBudget),
    runStep(log, "redis", closeRedis, closeBudget),
  ]);
  const code = exitCodeFor({ requestsCut, cleanupFailed: !dbClosed || !redisClosed || hookResults.includes(false) });

  state.phase = "exiting";
  log.info({ code, durationMs: Date.now() - state.startedAt }, "shutdown complete");
  flushLogger();
  process.exit(code);
}
