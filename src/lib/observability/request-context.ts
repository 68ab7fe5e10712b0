import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Per-request context, set when the Node HTTP server receives a request (see http-server.ts) and
 * enriched as the request proceeds (route pattern, then tenant and user once auth resolves).
 * Logs, metrics, Server-Timing and Sentry events read it.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly method: string;
  /** Path without the query string (query strings can carry tokens). */
  readonly path: string;
  /** Route pattern, e.g. "/api/v1/projects/[id]". */
  route: string;
  /** process.hrtime.bigint() when the request arrived. */
  readonly startedAt: bigint;
  tenantId?: string;
  userId?: string;
  /** Sentry trace id of the request, once known. */
  traceId?: string;
  /** Milliseconds spent waiting on the database. */
  dbMs: number;
  /** Database operations in flight (for the pool gauge). */
  dbCalls: number;
}

interface Holder {
  __slipwayRequestStorage?: AsyncLocalStorage<RequestContext>;
}

// On globalThis: Next may load this module more than once (per bundle); the store must be one.
const holder = globalThis as typeof globalThis & Holder;
export const requestStorage: AsyncLocalStorage<RequestContext> = (holder.__slipwayRequestStorage ??=
  new AsyncLocalStorage<RequestContext>());

/** The current request's context, or undefined outside a request (startup, background jobs). */
export function getRequestContext(): RequestContext | undefined {
  return requestStorage.getStore();
}

/** Adds what is learned during the request (auth resolves tenant and user). */
export function setRequestContext(
  update: Partial<Pick<RequestContext, "tenantId" | "userId" | "route" | "traceId">>,
): void {
  const context = requestStorage.getStore();
  if (!context) return;
  for (const [key, value] of Object.entries(update)) {
    if (value !== undefined) (context as unknown as Record<string, unknown>)[key] = value;
  }
}

export function elapsedMs(context: Pick<RequestContext, "startedAt">, now = process.hrtime.bigint()): number {
  return Number(now - context.startedAt) / 1e6;
}

/** The ids every log line and error report of this request carries. */
export function requestBindings(context = getRequestContext()): Record<string, string> {
  if (!context) return {};
  const bindings: Record<string, string> = { requestId: context.requestId };
  if (context.tenantId) bindings.tenantId = context.tenantId;
  if (context.userId) bindings.userId = context.userId;
  if (context.traceId) bindings.traceId = context.traceId;
  return bindings;
}
