/** Pure parts of the shutdown sequence (unit-tested in tests/unit/shutdown/plan.test.ts). */

export type ShutdownPhase = "running" | "draining" | "closing" | "cleaning-up" | "exiting";

/**
 * A repeated signal within this window is the same request delivered twice (a terminal's Ctrl-C
 * reaches both npm and node; npm forwards it again), not an operator insisting.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

export type SignalAction = "start" | "ignore-duplicate" | "exit-now";

/** What a SIGTERM/SIGINT means given when shutdown started (undefined: not started). */
export function actionForSignal(shutdownStartedAt: number | undefined, now: number): SignalAction {
  if (shutdownStartedAt === undefined) return "start";
  return now - shutdownStartedAt < DUPLICATE_SIGNAL_WINDOW_MS ? "ignore-duplicate" : "exit-now";
}

export interface ShutdownOutcome {
  /** In-flight requests were cut because SHUTDOWN_TIMEOUT_SECONDS ran out. */
  requestsCut: boolean;
  /** A cleanup step (hook, database, Redis) failed or timed out. */
  cleanupFailed: boolean;
}

/** 0 for a clean shutdown; 1 when the timeout forced it or cleanup failed. */
export function exitCodeFor(outcome: ShutdownOutcome): 0 | 1 {
  return outcome.requestsCut || outcome.cleanupFailed ? 1 : 0;
}

/** Milliseconds left of a budget that started at `startedAt`, never below `floorMs`. */
export function remainingMs(startedAt: number, budgetMs: number, now: number, floorMs = 0): number {
  return Math.max(floorMs, startedAt + budgetMs - now);
}
