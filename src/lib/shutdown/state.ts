import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { singleton } from "@/lib/singleton";
import type { ShutdownPhase } from "./plan";

export type ShutdownHook = () => Promise<void> | void;

/**
 * When a hook runs: "flush" (first: send what is buffered, e.g. Sentry events) or "connections"
 * (then: close pools and clients). Hooks of one stage run in parallel.
 */
export type ShutdownStage = "flush" | "connections";

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
  /** Connections accepted since start (for the shutdown log). */
  acceptedTotal: number;
  /** Called whenever a response ends, so waiters can re-check. */
  onResponseClosed: Set<() => void>;
  hooks: Map<string, { run: ShutdownHook; stage: ShutdownStage }>;
  trackerInstalled: boolean;
  signalsInstalled: boolean;
}

/** Process-wide: instrumentation, route handlers and the readiness probe share one state. */
export const state: ShutdownState = singleton("shutdown", () => ({
  phase: "running",
  inFlight: new Set(),
  connections: new Map(),
  acceptedTotal: 0,
  onResponseClosed: new Set(),
  hooks: new Map(),
  trackerInstalled: false,
  signalsInstalled: false,
}));
