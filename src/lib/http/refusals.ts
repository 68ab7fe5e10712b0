import type { IncomingHttpHeaders } from "node:http";
import { methods, type HttpMethod, type RouteClass } from "./routes";

/**
 * The pipeline's pure decisions about a request, from its request line and headers alone (nothing
 * read from the body yet): each returns the refusal to answer, or undefined to go on. Unit-tested
 * one by one (tests/unit/http/refusals.test.ts).
 */

export interface Refusal {
  status: 400 | 403 | 405 | 408 | 411 | 413 | 429 | 431 | 500 | 503;
  code: string;
  message: string;
  headers?: Record<string, string>;
  /**
   * Answered after a pause (the pipeline's REFUSAL_HOLD_MS), not at once: a refusal a client can
   * provoke again and again (past its share of the server, its turns, or a limit) would otherwise
   * let a client that retries at once turn refusals into a flood of their own.
   */
  held?: true;
}

const KNOWN_METHODS = new Set<string>(methods.all);
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A server action's id as Next's builds write it (42 hex digits). */
const SERVER_ACTION_ID = /^[0-9a-f]{42}$/;

/** Whether a request of this method may carry a body the server has to read. */
export function mayCarryBody(method: string): boolean {
  return BODY_METHODS.has(method);
}

/**
 * The request target: origin-form only ("/path?query"). `OPTIONS *` (asterisk-form) and
 * absolute-form targets ("GET http://elsewhere.example/ HTTP/1.1", for proxies) are refused: Next
 * would fail on the first and redirect off-site for the second.
 */
export function targetRefusal(url: string | undefined): Refusal | undefined {
  if (url?.startsWith("/") && !url.startsWith("//")) return undefined;
  return { status: 400, code: "invalid_target", message: "The request target must be a path." };
}

/** The path, percent-decoded once (as Next's router does), or undefined when it does not decode. */
export function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

export function methodRefusal(method: string, routeClass: RouteClass): Refusal | undefined {
  if (routeClass.methods.includes(method as HttpMethod)) return undefined;
  const allowed = KNOWN_METHODS.has(method) ? routeClass.methods : methods.all;
  return {
    status: 405,
    code: "method_not_allowed",
    message: `The ${method.slice(0, 16)} method is not allowed here.`,
    headers: { Allow: allowed.join(", ") },
  };
}

/** A `Next-Action` header that cannot name a server action (Next logs each at error level). */
export function actionIdRefusal(headers: IncomingHttpHeaders): Refusal | undefined {
  const action = headers["next-action"];
  if (action === undefined || (typeof action === "string" && SERVER_ACTION_ID.test(action))) return undefined;
  return { status: 400, code: "invalid_action", message: "The Next-Action header is not a server action id." };
}

/**
 * Cross-site request forgery: a page or server-action POST must come from a page of this site.
 * Browsers send `Origin` with every POST; it must name this host (the request's Host header, or
 * APP_URL's host). A foreign, `null`, malformed or missing Origin is refused here, before Next,
 * which would refuse an action by throwing (a 500 and an error log) and would not check plain
 * page posts at all.
 */
export function originRefusal(headers: IncomingHttpHeaders, appHost: string | undefined): Refusal | undefined {
  const refusal: Refusal = {
    status: 403,
    code: "cross_origin_request",
    message: "Forms can only be submitted from this site.",
  };
  const origin = headers.origin;
  if (typeof origin !== "string" || origin === "null") return refusal;
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== "https:" && url.protocol !== "http:") return refusal;
    host = url.host;
  } catch {
    return refusal;
  }
  const ownHosts = [headers.host, appHost].filter(Boolean).map((value) => value!.toLowerCase());
  return ownHosts.includes(host.toLowerCase()) ? undefined : refusal;
}

/**
 * A body the route class cannot take: any body where it takes none, one larger than its limit, and
 * one of unknown length on a path whose body the pipeline reads whole (pages: a chunked body would
 * otherwise be read until the limit to learn its size).
 */
export function lengthRefusal(
  headers: IncomingHttpHeaders,
  routeClass: RouteClass,
  bodyReadByPipeline: boolean,
): Refusal | undefined {
  const length = headers["content-length"];
  const chunked = headers["transfer-encoding"] !== undefined;
  if (length === undefined && !chunked) return undefined;
  if (length === undefined) {
    if (!bodyReadByPipeline) return undefined;
    return { status: 411, code: "length_required", message: "A request body to this path needs a Content-Length." };
  }
  const bytes = Number(length);
  if (bytes === 0) return undefined;
  if (bytes > routeClass.bodyLimitBytes) {
    return routeClass.bodyLimitBytes === 0
      ? { status: 413, code: "payload_too_large", message: "This path takes no request body." }
      : {
          status: 413,
          code: "payload_too_large",
          message: `The request body is larger than ${routeClass.bodyLimitBytes} bytes.`,
        };
  }
  return undefined;
}

/**
 * Load shedding and fairness, from the one in-flight account: a client address past its share is
 * told to slow down (429), and past `maxInFlight` everyone waits (503), so one client cannot take
 * the instance from the others and an overload cannot make a process hold more requests than it
 * can finish. Probes are never shed: a busy instance is not a dead one.
 */
export function admissionRefusal(
  load: { total: number; ofClient: number },
  limits: { maxInFlight: number; maxInFlightPerClient: number },
  routeClass: RouteClass,
): Refusal | undefined {
  if (routeClass.kind === "probe") return undefined;
  if (load.ofClient >= limits.maxInFlightPerClient) {
    return {
      status: 429,
      code: "too_many_in_flight",
      message: "Too many requests from your address at once. Try again in a moment.",
      headers: { "Retry-After": "1" },
      held: true,
    };
  }
  if (load.total >= limits.maxInFlight) {
    return {
      status: 503,
      code: "overloaded",
      message: "The server is busy. Try again in a moment.",
      headers: { "Retry-After": "1" },
    };
  }
  return undefined;
}

/** Whether the pipeline reads and checks this request's body before Next: page posts (server actions, forms). */
export function pipelineReadsBody(method: string, routeClass: RouteClass): boolean {
  return routeClass.kind === "page" && mayCarryBody(method);
}
