import type { z } from "zod";
import { requireTenantSession, type Session } from "@/lib/auth";
import { errorBody, toAppError, type AppError } from "@/lib/errors";
import { reportError, withServerTiming } from "@/lib/observability";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, parseParams, parseQuery } from "./parse";

const INTERNAL_ERROR_BODY = {
  error: { code: "internal_error", message: "Something went wrong on our side. It has been recorded." },
};

function errorResponse(error: AppError, headers?: HeadersInit): Response {
  return Response.json(errorBody(error), { status: error.status, headers });
}

type Schema = z.ZodType | undefined;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  body?: B;
  query?: Q;
  params?: P;
  maxBodyBytes?: number;
}

export interface RouteInput<B extends Schema, Q extends Schema, P extends Schema> {
  request: Request;
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
}

type RouteContext = { params: Promise<unknown> };
type Handler = (request: Request, context: RouteContext) => Promise<Response>;

async function parseInput<B extends Schema, Q extends Schema, P extends Schema>(
  spec: RouteSpec<B, Q, P>,
  request: Request,
  context: RouteContext | undefined,
): Promise<RouteInput<B, Q, P>> {
  return {
    request,
    params: (spec.params ? parseParams(await context?.params, spec.params) : undefined) as Infer<P>,
    query: (spec.query ? parseQuery(request, spec.query) : undefined) as Infer<Q>,
    body: (spec.body
      ? await parseJsonBody(request, spec.body, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
      : undefined) as Infer<B>,
  };
}

/**
 * Known errors become the JSON error shape; anything else is logged and answered with a bare 500.
 * Logs carry the request's ids; unexpected errors go to Sentry as errors, dependency outages (5xx
 * AppErrors) as warnings (severity mapping: docs/observability.md).
 */
function handleRouteError(error: unknown): Response {
  const known = toAppError(error);
  if (known) {
    if (known.status >= 500) reportError(error, { level: "warning", message: known.message, code: known.code });
    return errorResponse(known);
  }
  reportError(error, { message: "unhandled error in route" });
  return Response.json(INTERNAL_ERROR_BODY, { status: 500 });
}

/** A public JSON route: validated input, consistent errors, no authentication. */
export function publicApiRoute<
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(spec: RouteSpec<B, Q, P>, handler: (input: RouteInput<B, Q, P>) => Promise<Response>): Handler {
  return async (request, context) => {
    try {
      return withServerTiming(await handler(await parseInput(spec, request, context)));
    } catch (error) {
      return withServerTiming(handleRouteError(error));
    }
  };
}

/**
 * A tenant-scoped JSON route: the caller's session must name a tenant (401/403 JSON otherwise).
 * The handler passes `session` to feature code, whose withTenant verifies it in the same
 * transaction as the query. The tenant comes only from the session, never from the request.
 */
export function apiRoute<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined>(
  spec: RouteSpec<B, Q, P>,
  handler: (input: RouteInput<B, Q, P> & { session: Session }) => Promise<Response>,
): Handler {
  return async (request, context) => {
    try {
      const session = await requireTenantSession();
      return withServerTiming(await handler({ ...(await parseInput(spec, request, context)), session }));
    } catch (error) {
      return withServerTiming(handleRouteError(error));
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
