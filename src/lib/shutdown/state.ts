import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
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
  /** Open connections: how many responses each has in flight, and whether it carried a request. */
  connections: Map<Socket, { inFlight: number; used: boolean }>;
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
  connections: new Map(),
  onResponseClosed: new Set(),
  hooks: new Map(),
  trackerInstalled: false,
  signalsInstalled: false,
});
