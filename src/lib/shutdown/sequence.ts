import type { ServerResponse } from "node:http";
import { getEnv } from "@/lib/env";
import { flushLogger, getLogger, type Logger } from "@/lib/logger";
import { exitCodeFor, remainingMs } from "./plan";
import { state, type DrainableServer, type ShutdownHook, type ShutdownStage } from "./state";

/** Each cleanup stage (flush, then connections) gets at least this long, even after a forced close. */
const CLEANUP_FLOOR_MS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A connection accepted before the listener closed gets this long to send its first request (a
 * busy client may connect well before it writes); after that it is closed.
 */
const FRESH_CONNECTION_GRACE_MS = 1000;

/** Longest time spent accepting connections that queued in the kernel during the drain. */
const ACCEPT_QUEUE_SETTLE_MS = 1000;

/** Sends `Connection: close` with this response (Node then ends the socket after it). */
function askToCloseConnection(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader("Connection", "close");
}

/**
 * Accepts the connections waiting in the kernel's accept queue before the listener closes (closing
 * resets them). Node accepts one queued connection per event-loop turn, so on a busy server dozens
 * can wait there for hundreds of milliseconds: turn the loop until a turn accepts none, or `maxMs`.
 */
async function acceptQueuedConnections(
  server: DrainableServer,
  maxMs: number,
): Promise<{ accepted: number; settleMs: number }> {
  const started = Date.now();
  const acceptedAtStart = server.acceptedTotal();
  for (;;) {
    const before = server.acceptedTotal();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (server.acceptedTotal() === before || Date.now() - started >= maxMs) break;
  }
  return { accepted: server.acceptedTotal() - acceptedAtStart, settleMs: Date.now() - started };
}

/**
 * Stops accepting, then resolves true once every connection has ended (false if `ms` ran out).
 *
 * Nothing sent during the drain may fail, even on a busy event loop: closing the listener resets
 * connections still queued in the kernel, so it closes only once they have been accepted. The
 * server closes only its listener (not connections just accepted whose request is on its way);
 * idle connections are closed here: kept-alive ones at once, fresh ones after
 * FRESH_CONNECTION_GRACE_MS. Every response now carries `Connection: close`, so busy connections
 * end after their response.
 */
async function closeAndWaitForConnections(server: DrainableServer, ms: number, log: Logger): Promise<boolean> {
  if (!server.listening) return server.inFlight.whenIdle(ms);
  const { accepted, settleMs } = await acceptQueuedConnections(server, Math.min(ACCEPT_QUEUE_SETTLE_MS, ms));
  const allEnded = server.stopAccepting().then(() => true as const);
  log.info(
    { connections: server.connectionCounts(), acceptedWhileSettling: accepted, settleMs },
    "no longer accepting connections; closing idle ones",
  );
  server.closeIdleConnections(false);
  const grace = setTimeout(() => {
    const closed = server.closeIdleConnections(true);
    if (closed > 0) log.info({ closed }, "closed connections that sent no request");
  }, FRESH_CONNECTION_GRACE_MS);
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(0, ms - settleMs)).unref());
  const ended = await Promise.race([allEnded, timeout]);
  clearTimeout(grace);
  return ended;
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
 * requests up to SHUTDOWN_TIMEOUT_SECONDS, then cut them; 5. run the "flush" hooks (Sentry), then
 * the "connections" hooks (database pool, health connection, Redis), flush logs; 6. exit 0, or 1 if
 * requests were cut or cleanup failed.
 */
export async function runShutdown(signal: NodeJS.Signals): Promise<never> {
  const env = getEnv();
  const drainMs = env.SHUTDOWN_DRAIN_SECONDS * 1000;
  const timeoutMs = env.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  const log = getLogger().child({ component: "shutdown" });

  const server = state.server;
  state.phase = "draining";
  state.startedAt = Date.now();
  for (const response of server?.inFlight.current() ?? []) askToCloseConnection(response);
  log.info(
    { signal, drainSeconds: env.SHUTDOWN_DRAIN_SECONDS, timeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS },
    "shutdown started: readiness is 503, still serving while load balancers drain",
  );
  await sleep(drainMs);
  const drainOverrunMs = Date.now() - state.startedAt - drainMs;

  state.phase = "closing";
  const closingAt = Date.now();
  for (const response of server?.inFlight.current() ?? []) askToCloseConnection(response);
  if (drainOverrunMs > 100) log.warn({ drainOverrunMs }, "event loop is lagging: the drain ended late");
  const ended = server ? await closeAndWaitForConnections(server, timeoutMs, log) : true;
  const inFlight = server?.inFlight.total ?? 0;
  const requestsCut = !ended && inFlight > 0;
  log.info({ inFlight, waitedMs: Date.now() - closingAt }, "connections closed");
  if (!ended) {
    log.warn({ inFlight }, "shutdown timeout reached: closing remaining connections");
    server?.closeAllConnections();
  }

  // Cleanup shares what is left of the timeout; each stage gets at least CLEANUP_FLOOR_MS, so the
  // worst case from signal to exit is drain + timeout + 2 x CLEANUP_FLOOR_MS.
  state.phase = "cleaning-up";
  const budget = () => remainingMs(closingAt, timeoutMs, Date.now(), CLEANUP_FLOOR_MS);
  const runStage = (stage: ShutdownStage) => {
    const ms = budget();
    const hooks = [...state.hooks].filter(([, hook]) => hook.stage === stage);
    return Promise.all(hooks.map(([name, hook]) => runStep(log, name, hook.run, ms)));
  };
  const results = [...(await runStage("flush")), ...(await runStage("connections"))];
  const code = exitCodeFor({ requestsCut, cleanupFailed: results.includes(false) });

  state.phase = "exiting";
  log.info({ code, durationMs: Date.now() - state.startedAt }, "shutdown complete");
  flushLogger();
  process.exit(code);
}
