import { AsyncLocalStorage } from "node:async_hooks";
import { isIP } from "node:net";
import { singleton } from "@/lib/singleton";

/**
 * Per-request context, set when the HTTP server receives a request (src/lib/http runs each request
 * inside it; ./http-requests.ts creates it) and
 * enriched as the request proceeds (route pattern, then tenant and user once auth resolves): the
 * request id, database time, Server-Timing. Logs, metrics and Sentry events read it.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly method: string;
  /** Path without the query string (query strings can carry tokens). */
  readonly path: string;
  /** Route pattern, e.g. "/api/v1/projects/[id]". */
  route: string;
  /** The largest body this request's route class accepts (the route table, src/routes.ts); route handlers read at most this. */
  bodyLimitBytes?: number;
  /** Its route class's signed-in caller limits (rate-limit policy names), counted by the API route wrapper. */
  callerLimits?: { readonly read: string; readonly write: string; readonly tenant: string };
  /** Set when a caller limit refused this request: the pipeline answers the same caller at once until it resets. */
  callerRefused?: {
    readonly policy: string;
    readonly limit: number;
    readonly windowSeconds: number;
    readonly resetSeconds: number;
  };
  /** process.hrtime.bigint() when the request arrived. */
  readonly startedAt: bigint;
  /** The caller's address, from the socket and the trusted proxies' X-Forwarded-For (clientIpOf). */
  readonly clientIp: string;
  tenantId?: string;
  userId?: string;
  /** Sentry trace id of the request, once known. */
  traceId?: string;
  /** Milliseconds spent waiting on the database. */
  dbMs: number;
  /** Database operations in flight (for the pool gauge). */
  dbCalls: number;
}

const requestStorage = singleton("observability.request-storage", () => new AsyncLocalStorage<RequestContext>());

/** Runs `fn` (and everything it starts) as part of the request `context`. */
export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return requestStorage.run(context, fn);
}

/** The current request's context, or undefined outside a request (startup, background jobs). */
export function getRequestContext(): RequestContext | undefined {
  return requestStorage.getStore();
}

/** The current request's client IP (clientIpOf), or "unknown" outside a request. */
export function requestClientIp(): string {
  return getRequestContext()?.clientIp ?? "unknown";
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

// ---- The client's address ----------------------------------------------------------------------

/**
 * The client's IP. A platform whose edge sets a header of its own to the client's address (and
 * overwrites whatever the client sent: Fly's `Fly-Client-IP`) is the most reliable source, named by
 * CLIENT_IP_HEADER. Otherwise the socket's peer, unless `trustedHops` proxies stand in front, each
 * appending the address it received the request from to X-Forwarded-For; then it is the entry
 * that many places from the right. Entries further left were written by the client and are never
 * trusted.
 */
export function clientIpOf(
  forwardedFor: string | string[] | undefined,
  socketAddress: string | undefined,
  trustedHops: number,
  platformHeader?: string | string[],
): string {
  const fromPlatform = (Array.isArray(platformHeader) ? platformHeader[0] : platformHeader)?.trim();
  if (fromPlatform && isIP(normalizeAddress(fromPlatform))) return normalizeAddress(fromPlatform);
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, normalizeAddress(socketAddress ?? "unknown")];
  return normalizeAddress(chain[Math.max(0, chain.length - 1 - trustedHops)]!);
}

/** "::ffff:127.0.0.1" (IPv4 on a dual-stack socket) is 127.0.0.1. */
function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

// ---- Request ids: honour an incoming `x-request-id` of a strict format, otherwise generate one. ----

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What proxies generate: a UUID (Heroku, Render, Caddy's {http.request.uuid}) or 32 hex digits
 * (nginx's $request_id). Anything else a client sends is replaced, so a log search by request id
 * finds only what the server or a proxy in front of it named.
 */
const VALID_REQUEST_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === "string" && VALID_REQUEST_ID.test(value);
}

export function resolveRequestId(incoming: string | string[] | null | undefined, generate: () => string): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return isValidRequestId(value) ? value : generate();
}

// ---- Database time per request (Server-Timing) and operations in flight (the pool gauge). --------
// postgres.js exposes no pool statistics, so the database layer wraps each unit of work.

const databaseInFlight = singleton("observability.db-in-flight", () => ({ count: 0 }));

export async function timeDatabase<T>(work: () => Promise<T>): Promise<T> {
  const context = getRequestContext();
  const started = process.hrtime.bigint();
  databaseInFlight.count++;
  try {
    return await work();
  } finally {
    databaseInFlight.count--;
    if (context) {
      context.dbMs += Number(process.hrtime.bigint() - started) / 1e6;
      context.dbCalls++;
    }
  }
}

export function databaseOperationsInFlight(): number {
  return databaseInFlight.count;
}

/** `db;dur=12.3, total;dur=45.6` (milliseconds since the request arrived). */
export function serverTiming(context: Pick<RequestContext, "dbMs" | "startedAt">, now?: bigint): string {
  const total = elapsedMs(context, now);
  return `db;dur=${context.dbMs.toFixed(1)}, total;dur=${total.toFixed(1)}`;
}

/** Adds Server-Timing to an API response (a copy when the response's headers are immutable). */
export function withServerTiming(response: Response): Response {
  const context = getRequestContext();
  if (!context) return response;
  const value = serverTiming(context);
  try {
    response.headers.set("server-timing", value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("server-timing", value);
    return copy;
  }
}
