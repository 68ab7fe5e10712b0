import type { ServerResponse } from "node:http";
import { singleton } from "@/lib/singleton";
import type { ShutdownPhase } from "./plan";

export type ShutdownHook = () => Promise<void> | void;

/**
 * When a hook runs: "flush" (first: send what is buffered, e.g. Sentry events) or "connections"
 * (then: close pools and clients). Hooks of one stage run in parallel.
 */
export type ShutdownStage = "flush" | "connections";

/** Open connections by state, for the shutdown log. */
export interface ConnectionCounts {
  busy: number;
  idle: number;
  awaitingFirstRequest: number;
}

/**
 * What the shutdown drains: the HTTP server the process owns (src/lib/http), through the one
 * in-flight account and its connection list. The server registers itself when it starts.
 */
export interface DrainableServer {
  readonly listening: boolean;
  /** Connections accepted since start (to see when the kernel's accept queue is empty). */
  acceptedTotal(): number;
  /** Stops accepting; resolves once every open connection has ended. */
  stopAccepting(): Promise<void>;
  /** Destroys connections with nothing in flight: kept-alive ones and, when `includeFresh`, those still awaiting their first request. */
  closeIdleConnections(includeFresh: boolean): number;
  closeAllConnections(): void;
  connectionCounts(): ConnectionCounts;
  inFlight: {
    readonly total: number;
    current(): Iterable<ServerResponse>;
    whenIdle(ms: number): Promise<boolean>;
  };
}

export interface ShutdownState {
  phase: ShutdownPhase;
  /** When the first signal arrived (Date.now()). */
  startedAt?: number;
  server?: DrainableServer;
  hooks: Map<string, { run: ShutdownHook; stage: ShutdownStage }>;
  signalsInstalled: boolean;
}

/** Process-wide: the server, route handlers and the readiness probe share one state. */
export const state: ShutdownState = singleton("shutdown", () => ({
  phase: "running",
  hooks: new Map(),
  signalsInstalled: false,
}));
