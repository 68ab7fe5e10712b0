import type { Server, ServerResponse } from "node:http";
import type { ShutdownPhase } from "./plan";

export type ShutdownHook = () => Promise<void> | void;

export interface ShutdownState {
  phase: ShutdownPhase;
  /** When the first signal arrived (Date.now()). */
  startedAt?: number;
  /** The standalone server's http.Server, learned from its first connection. */
  server?: Server;
  /** Responses not yet finished or aborted. */
  inFlight: Set<ServerResponse>;
  /** Called whenever a response ends, so waiters can re-check. */
  onResponseClosed: Set<() => void>;
  hooks: Map<string, ShutdownHook>;
  trackerInstalled: boolean;
  signalsInstalled: boolean;
}

/**
 * Process-wide shutdown state on globalThis: Next may load this module in more than one bundle
 * (instrumentation, route handlers), and all of them must share one state.
 */
const holder = globalThis as typeof globalThis & { __slipwayShutdown?: ShutdownState };

export const state: ShutdownState = (holder.__slipwayShutdown ??= {
  phase: "running",
  inFlight: new Set(),
  onResponseClosed: new Set(),
  hooks: new Map(),
  trackerInstalled: false,
  signalsInstalled: false,
});
