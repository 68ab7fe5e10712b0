import { IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "@/lib/logger";
import type { RequestContext, RequestObserver } from "@/lib/observability";
import { runInRequestContext } from "@/lib/observability";
import { rateLimitHeaders, type RateLimitDecision, type RateLimitPolicy } from "@/lib/rate-limit";
import type { ConnectionTracker } from "./connections";
import type { InFlightAccount } from "./in-flight";
import { pageBodyRefusal } from "./page-body";
import { CallerTurns, type Turn } from "./caller-turns";
import { callerCredentials, RefusedCallers } from "./refused-callers";
import {
  actionIdRefusal,
  admissionRefusal,
  decodedPath,
  lengthRefusal,
  mayCarryBody,
  methodRefusal,
  originRefusal,
  pipelineReadsBody,
  targetRefusal,
  type Refusal,
} from "./refusals";
import { classify, isPageClass, type RouteClass, type RouteTable } from "./routes";

/**
 * THE request pipeline beneath Next: every request the server accepts goes through these steps, in
 * this order, and only then to Next's request handler.
 *
 *   1. context      request id, client address, route class; the rest runs inside it
 *   2. refusals     request target, path encoding, method, server-action id, origin of page posts,
 *                   body length (answers 400, 403, 405, 411, 413 from the request line and headers)
 *   3. admission    a caller the API's caller limits refused is refused again until their reset
 *                   (429, ./refused-callers.ts), then per-client fairness (429) and load shedding
 *                   (503) on the one in-flight account
 *   4. rate limit   the route class's per-address policy, before any body is read (429)
 *   5. body         page posts (forms, server actions) read whole, within the route class's limit,
 *                   and checked as Next will decode them (400), then handed to Next
 *   6. Next         Next's request handler
 *
 * Header and body time limits are the HTTP server's (./server.ts). Each step's decision is a pure
 * function (./refusals.ts, ./page-body.ts) unit-tested alone.
 */

export type NextRequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface PipelineSettings {
  routes: RouteTable;
  /** APP_URL's host: page posts may also name it as their Origin (besides the request's Host). */
  appHost?: string;
  maxInFlight: number;
  maxInFlightPerClient: number;
  /** Of a signed-in caller's tenant API requests, how many run at once and how many more wait their turn (./caller-turns.ts). */
  callerTurns: { concurrent: number; queued: number };
  /** The security headers every response that may be a page starts with (a prerendered page's); the proxy replaces them per request. */
  pageHeaders: Readonly<Record<string, string>>;
  observer: RequestObserver;
  consumeRateLimit: (policy: RateLimitPolicy, key: string) => Promise<RateLimitDecision>;
  /** From the first shutdown signal on, every response asks its client to reconnect elsewhere. */
  isShuttingDown: () => boolean;
  logger: () => Logger;
}

const TOO_MANY_WAITING: Refusal = {
  status: 429,
  code: "too_many_in_flight",
  message: "Too many of your requests at once. Try again in a moment.",
  headers: { "Retry-After": "1" },
  held: true,
};

/**
 * How long a held refusal waits before it is answered. A client retrying at once on 50
 * connections then makes 50 requests a second, not thousands: measured with the neighbour bench,
 * refusals answered at once (about 0.4 ms of the process each) took the whole process and raised
 * another tenant's p50 5×.
 */
const REFUSAL_HOLD_MS = 1000;

/** A status the pipeline answered with, recorded for the log line when Node, not the response, sent it. */
const answeredBy = new WeakMap<ServerResponse, number>();

export function createPipeline(
  settings: PipelineSettings,
  inFlight: InFlightAccount,
  connections: ConnectionTracker,
  nextHandler: () => Promise<NextRequestHandler>,
): (request: IncomingMessage, response: ServerResponse) => void {
  const refusedCallers = new RefusedCallers();
  const turns = new CallerTurns(settings.callerTurns);
  return (request, response) => {
    const socket = request.socket;
    connections.requestStarted(socket, response);
    const context = settings.observer.begin(request, response);
    const target = targetRefusal(request.url);
    const path = target ? undefined : decodedPath(context.path);
    const routeClass = classify(settings.routes, path ?? "/");
    context.bodyLimitBytes = routeClass.bodyLimitBytes;
    context.callerLimits = routeClass.callerLimits;
    // Signed-in callers of the tenant API: remembered refusals and turns are keyed by their credentials.
    const credentials = routeClass.callerLimits && !target ? callerCredentials(request.headers) : undefined;
    const callerKey = credentials && RefusedCallers.keyOf(request.method ?? "GET", credentials, context.clientIp);
    // One listener for everything a closed response ends: the connection's and the account's counts, the log line.
    response.once("close", () => {
      connections.requestEnded(socket, response);
      inFlight.release(response, context.clientIp);
      if (callerKey && context.callerRefused) refusedCallers.remember(callerKey, context.callerRefused);
      settings.observer.complete(context, response, {
        quiet: Boolean(routeClass.quiet),
        status: answeredBy.get(response),
      });
    });
    if (settings.isShuttingDown()) response.setHeader("Connection", "close");
    runInRequestContext(context, () => {
      if (target) return answer(response, target);
      if (path === undefined) {
        return answer(response, {
          status: 400,
          code: "invalid_path",
          message: "The path is not valid percent-encoding.",
        });
      }
      const remembered = callerKey ? refusedCallers.refusal(callerKey) : undefined;
      if (remembered) return answer(response, remembered);
      const served = serve(settings, inFlight, nextHandler, request, response, context, routeClass, () =>
        credentials ? turns.take(credentials, response) : Promise.resolve("turn"),
      );
      void served.catch((error: unknown) => failed(settings, response, error));
    });
  };
}

async function serve(
  settings: PipelineSettings,
  inFlight: InFlightAccount,
  nextHandler: () => Promise<NextRequestHandler>,
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
  routeClass: RouteClass,
  takeTurn: () => Promise<Turn>,
): Promise<void> {
  const method = request.method ?? "GET";
  if (isPageClass(routeClass)) {
    for (const name in settings.pageHeaders) response.setHeader(name, settings.pageHeaders[name]!);
  }
  const readsBody = pipelineReadsBody(method, routeClass);
  const refusal =
    // Cross-site posts first: a page post with a foreign Origin is refused as one whatever else is wrong with it.
    (isPageClass(routeClass) && mayCarryBody(method) ? originRefusal(request.headers, settings.appHost) : undefined) ??
    methodRefusal(method, routeClass) ??
    actionIdRefusal(request.headers) ??
    lengthRefusal(request.headers, routeClass, readsBody) ??
    admissionRefusal({ total: inFlight.total, ofClient: inFlight.ofClient(context.clientIp) }, settings, routeClass);
  if (refusal) return answer(response, refusal);
  inFlight.admit(response, context.clientIp);

  if (routeClass.rateLimit && mayCarryBody(method)) {
    const limited = await rateLimitRefusal(settings, routeClass.rateLimit, context.clientIp);
    if (limited) return answer(response, limited);
  }

  const turn = await takeTurn();
  if (turn === "gone") return; // the client went away while waiting (logged as a closed request)
  if (turn === "queue-full") return answer(response, TOO_MANY_WAITING);

  let forNext = request;
  if (readsBody) {
    const body = await readWhole(request);
    if (body === undefined) return; // the client went away (logged as a closed request)
    const invalid = await pageBodyRefusal(request.headers, body);
    if (invalid) return answer(response, invalid);
    forNext = replayOf(request, body);
  }
  const handle = await nextHandler();
  await handle(forNext, response);
}

async function rateLimitRefusal(
  settings: PipelineSettings,
  policy: RateLimitPolicy,
  clientIp: string,
): Promise<Refusal | undefined> {
  try {
    await settings.consumeRateLimit(policy, `ip:${clientIp}`);
    return undefined;
  } catch (error) {
    const decision = (error as { decision?: RateLimitDecision }).decision;
    if (!decision) throw error;
    return {
      status: 429,
      code: "rate_limited",
      message: `Too many requests. Try again in ${decision.resetSeconds} seconds.`,
      headers: rateLimitHeaders(decision),
    };
  }
}

/** The body, whole (its size is bounded by the length refusal), or undefined when the client closed the request first. */
function readWhole(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", () => resolve(undefined));
    request.once("close", () => {
      if (!request.complete) resolve(undefined);
    });
  });
}

/**
 * The request again, its body already read into `body`: what Next's handler reads instead of the
 * socket (docs/framework-contracts.md, "Request body replay").
 */
function replayOf(request: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(request.socket);
  replay.method = request.method;
  replay.url = request.url;
  replay.headers = request.headers;
  replay.rawHeaders = request.rawHeaders;
  replay.httpVersion = request.httpVersion;
  replay.httpVersionMajor = request.httpVersionMajor;
  replay.httpVersionMinor = request.httpVersionMinor;
  // Complete: destroying an incomplete message (autoDestroy, after Next reads it) resets the socket.
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}

/**
 * Answers with the JSON error shape. A request whose body has not fully arrived also gets
 * `Connection: close`: Node would otherwise keep the connection to read and discard the rest, for
 * as long as a slow client cares to send it.
 */
export function answer(response: ServerResponse, refusal: Refusal): void {
  if (refusal.held) {
    const timer = setTimeout(() => answer(response, { ...refusal, held: undefined }), REFUSAL_HOLD_MS);
    response.once("close", () => clearTimeout(timer));
    return;
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  response.writeHead(refusal.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...(response.req && !response.req.complete ? { Connection: "close" } : {}),
    ...refusal.headers,
  });
  response.end(response.req?.method === "HEAD" ? undefined : body);
}

/** A bug in the pipeline or an error Next let through: logged and answered 500, once. */
function failed(settings: PipelineSettings, response: ServerResponse, error: unknown): void {
  settings.logger().error({ err: error }, "unhandled error in the request pipeline");
  answer(response, {
    status: 500,
    code: "internal_error",
    message: "Something went wrong on our side. It has been recorded.",
  });
}

/** For the HTTP server's own answers on a socket (408 when the request did not arrive in time). */
export function recordAnswer(response: ServerResponse, status: number): void {
  answeredBy.set(response, status);
}
