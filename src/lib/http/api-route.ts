import type { z } from "zod";
import { getSession, requireTenantOf, type Session } from "@/lib/auth";
import { ClientClosedRequestError, errorBody, toAppError, UnauthorizedError, type AppError } from "@/lib/errors";
import { getRequestContext, reportError, requestClientIp, withServerTiming } from "@/lib/observability";
import { consumeRateLimit, rateLimitHeaders, RateLimitedError, type RateLimitDecision } from "@/lib/rate-limit";
import { parseJsonBody, parseParams, parseQuery } from "./parse";
import { TENANT_API_LIMITS, type CallerLimits } from "./routes";

type Schema = z.ZodType | undefined;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  body?: B;
  query?: Q;
  params?: P;
}

export interface RouteInput<B extends Schema, Q extends Schema, P extends Schema> {
  request: Request;
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
}

type RouteContext = { params: Promise<unknown> };
type Handler = (request: Request, context: RouteContext) => Promise<Response>;

const INTERNAL_ERROR_BODY = {
  error: { code: "internal_error", message: "Something went wrong on our side. It has been recorded." },
};

async function parseInput<B extends Schema, Q extends Schema, P extends Schema>(
  spec: RouteSpec<B, Q, P>,
  request: Request,
  context: RouteContext | undefined,
): Promise<RouteInput<B, Q, P>> {
  return {
    request,
    params: (spec.params ? parseParams(await context?.params, spec.params) : undefined) as Infer<P>,
    query: (spec.query ? parseQuery(request, spec.query) : undefined) as Infer<Q>,
    body: (spec.body ? await parseJsonBody(request, spec.body) : undefined) as Infer<B>,
  };
}

function errorResponse(error: AppError): Response {
  const headers: Record<string, string> = error instanceof RateLimitedError ? rateLimitHeaders(error.decision) : {};
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json(errorBody(error), { status: error.status, headers });
}

/**
 * Known errors become the JSON error shape; anything else is logged and answered with a bare 500.
 * Logs carry the request's ids; unexpected errors go to Sentry as errors, dependency outages (5xx
 * AppErrors) as warnings (severity mapping: docs/observability.md).
 */
function handleRouteError(error: unknown): Response {
  const known = toAppError(error);
  if (known instanceof RateLimitedError) {
    const context = getRequestContext();
    if (context) context.callerRefused = known.decision;
  }
  if (known instanceof ClientClosedRequestError) return errorResponse(known);
  if (known) {
    if (known.status >= 500) reportError(error, { level: "warning", message: known.message, code: known.code });
    return errorResponse(known);
  }
  reportError(error, { message: "unhandled error in route" });
  return Response.json(INTERNAL_ERROR_BODY, { status: 500 });
}

/** The response with Server-Timing and, when a limit applied, the RateLimit headers. */
function finish(response: Response, decision?: RateLimitDecision): Response {
  const timed = withServerTiming(response);
  if (decision) for (const [name, value] of Object.entries(rateLimitHeaders(decision))) timed.headers.set(name, value);
  return timed;
}

/**
 * A public JSON route: validated input, consistent errors, no authentication. Its per-client rate
 * limit, if any, is its route class's (src/routes.ts), counted by the server before the body is read.
 */
export function publicApiRoute<
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(spec: RouteSpec<B, Q, P>, handler: (input: RouteInput<B, Q, P>) => Promise<Response>): Handler {
  return async (request, context) => {
    try {
      return finish(await handler(await parseInput(spec, request, context)));
    } catch (error) {
      return finish(handleRouteError(error));
    }
  };
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Counts a signed-in request against its route class's caller limits (the route table): reads or
 * writes per user and tenant first, so one caller past their own limit spends nothing of their
 * tenant's quota, then the tenant's quota. The decision closest to refusal is the one reported.
 */
async function consumeCallerLimits(request: Request, session: Session): Promise<RateLimitDecision> {
  const limits = (getRequestContext()?.callerLimits as CallerLimits | undefined) ?? TENANT_API_LIMITS;
  const own = await consumeRateLimit(READS.has(request.method) ? limits.read : limits.write, session.key);
  const tenant = session.tenantKey;
  if (!tenant) return own;
  const quota = await consumeRateLimit(limits.tenant, tenant);
  return quota.remaining < own.remaining ? quota : own;
}

/**
 * An authenticated JSON route. Signed-out calls (and sessions the database refused a moment ago)
 * are limited per client IP (api-anonymous) and answered 401; with `tenant` (the default) a
 * session without an active tenant is a 403. Signed-in calls meet their route class's caller
 * limits: reads and writes per user and tenant, and a quota per tenant. The handler passes
 * `session` to feature code, whose withTenant verifies it in the same transaction as the query;
 * the tenant comes only from the session, never from the request.
 */
export function apiRoute<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined>(
  spec: RouteSpec<B, Q, P> & { tenant?: boolean },
  handler: (input: RouteInput<B, Q, P> & { session: Session }) => Promise<Response>,
): Handler {
  return async (request, context) => {
    try {
      const session = await getSession();
      if (!session) {
        await consumeRateLimit("api-anonymous", requestClientIp());
        throw new UnauthorizedError();
      }
      if (spec.tenant !== false) requireTenantOf(session);
      const decision = await consumeCallerLimits(request, session);
      return finish(await handler({ ...(await parseInput(spec, request, context)), session }), decision);
    } catch (error) {
      return finish(handleRouteError(error));
    }
  };
}

export function ok(body: unknown, init?: ResponseInit): Response {
  return Response.json(body, init);
}

export function created(body: unknown): Response {
  return Response.json(body, { status: 201 });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}
