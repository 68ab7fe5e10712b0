import { subscribe } from "node:diagnostics_channel";
import { IncomingMessage, Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { singleton } from "@/lib/singleton";
import { PAGE_BODY_LIMIT_BYTES } from "./limits";

/**
 * Requests Next.js itself would answer with a 500 (it fails inside its router, before any of our
 * code runs) are refused at the HTTP server's front door with the usual JSON error shape: methods
 * the Fetch API cannot represent (TRACE, TRACK, CONNECT…), paths whose percent-encoding does not
 * decode, server-action calls whose `Next-Action` id cannot be one (Next logs each at error level), and page-path bodies that are too large or of unknown length (the proxy would buffer a
 * truncated body and a multipart parse of it fails). Pure decisions in refusalFor(), tested alone.
 */

export interface Refusal {
  status: 400 | 405 | 411 | 413 | 503;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Paths that read their own bodies with a streaming limit (API routes, webhooks, the tunnel). */
const SELF_LIMITED = /^\/(api|monitoring)(\/|$)/;
/** A server action's id as Next's builds write it (42 hex digits, server-reference-info.js). */
const SERVER_ACTION_ID = /^[0-9a-f]{42}$/;

export function refusalFor(request: {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}): Refusal | undefined {
  const method = request.method ?? "GET";
  if (!METHODS.has(method)) {
    return {
      status: 405,
      code: "method_not_allowed",
      message: `The ${method.slice(0, 16)} method is not supported.`,
      headers: { Allow: [...METHODS].join(", ") },
    };
  }
  const path = (request.url ?? "/").split("?")[0]!;
  try {
    decodeURIComponent(path);
  } catch {
    return { status: 400, code: "invalid_path", message: "The path is not valid percent-encoding." };
  }
  const action = request.headers["next-action"];
  if (action !== undefined && !(typeof action === "string" && SERVER_ACTION_ID.test(action))) {
    return { status: 400, code: "invalid_action", message: "The Next-Action header is not a server action id." };
  }
  if (method === "GET" || method === "HEAD" || method === "OPTIONS" || SELF_LIMITED.test(path)) return undefined;
  const length = request.headers["content-length"];
  if (length === undefined) {
    if (request.headers["transfer-encoding"] === undefined) return undefined;
    return { status: 411, code: "length_required", message: "A request body to this path needs a Content-Length." };
  }
  if (Number(length) > PAGE_BODY_LIMIT_BYTES) {
    return {
      status: 413,
      code: "payload_too_large",
      message: `The request body is larger than ${PAGE_BODY_LIMIT_BYTES} bytes.`,
    };
  }
  return undefined;
}

/**
 * Whether a page-path post carries a body Next would decode as a server action or form: a
 * `Next-Action` call, or a multipart form (a form posted without JavaScript). Next answers a body
 * it cannot decode with a 500 and an error log (action-handler.js), so these bodies, already
 * bounded by refusalFor(), are checked here first.
 */
export function needsBodyCheck(request: {
  method?: string;
  url?: string;
  headers: IncomingMessage["headers"];
}): boolean {
  if (request.method !== "POST" || SELF_LIMITED.test((request.url ?? "/").split("?")[0]!)) return false;
  const type = String(request.headers["content-type"] ?? "").toLowerCase();
  return request.headers["next-action"] !== undefined || type.startsWith("multipart/form-data");
}

/** Undefined when Next can decode `body`; else the 400 to answer. Multipart is parsed as Next parses it (undici). */
export async function bodyRefusal(contentType: string | undefined, body: Buffer): Promise<Refusal | undefined> {
  const invalid: Refusal = {
    status: 400,
    code: "invalid_body",
    message: "The request body is not a valid form or server action payload.",
  };
  if (
    String(contentType ?? "")
      .toLowerCase()
      .startsWith("multipart/form-data")
  ) {
    try {
      await new Response(new Uint8Array(body), { headers: { "content-type": contentType! } }).formData();
      return undefined;
    } catch {
      return invalid;
    }
  }
  // A server action called with simple arguments: React encodes them as one JSON text.
  try {
    JSON.parse(body.toString("utf8"));
    return undefined;
  } catch {
    return invalid;
  }
}

/** The request again, with its body read into `body`: what Next's handler reads instead of the socket. */
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

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function answer(response: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  response.writeHead(refusal.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...refusal.headers,
  });
  // Node discards an unread request body after the response (nothing is buffered), so the client
  // reads this answer instead of a reset connection.
  response.end(body);
}

/** Paths that answer JSON, scripts or assets, never a page: they skip a page's security headers. */
const NEVER_A_PAGE = /^\/(api|health|monitoring|runtime-config\.js|_next\/static)(\/|$)/;

/** Probes are answered even when the server sheds load: an instance that is busy is not dead. */
const PROBES = /^\/health(\/|$)/;

/**
 * Load shedding: requests beyond `max` in flight are answered 503 at once instead of queueing, so
 * an overload cannot make one process hold more requests (and their renders' memory) than it can
 * finish. The heap exhaustion first blamed on overload was a retention of finished requests
 * (ADR 0061); the bound stays as the defence against overload itself.
 */
export function overloadRefusal(inFlight: number, max: number, path: string): Refusal | undefined {
  if (inFlight < max || PROBES.test(path)) return undefined;
  return {
    status: 503,
    code: "overloaded",
    message: "The server is busy. Try again in a moment.",
    headers: { "Retry-After": "1" },
  };
}

export interface FrontDoorOptions {
  /** The most requests this process works on at once (MAX_IN_FLIGHT_REQUESTS). */
  maxInFlight: number;
  /** Headers every response that may be a page starts with (a prerendered page's security headers); the proxy replaces them per request. */
  defaultHeaders: Readonly<Record<string, string>>;
}

/** Puts the front door in front of the standalone server's request handler (once per server). */
export function installFrontDoor(options: FrontDoorOptions): void {
  const guarded = singleton("http.front-door", () => new WeakSet<Server>());
  const load = singleton("http.front-door.in-flight", () => ({ requests: 0 }));
  subscribe("net.server.socket", (message) => {
    const server = (message as { socket: Socket & { server?: unknown } }).socket.server;
    if (!(server instanceof Server) || guarded.has(server)) return;
    guarded.add(server);
    const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
    server.emit = function guardedEmit(this: Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const [request, response] = args as [IncomingMessage, ServerResponse];
        const path = (request.url ?? "/").split("?")[0]!;
        if (!NEVER_A_PAGE.test(path)) {
          for (const name in options.defaultHeaders) response.setHeader(name, options.defaultHeaders[name]!);
        }
        const refusal = refusalFor(request) ?? overloadRefusal(load.requests, options.maxInFlight, path);
        if (refusal) {
          answer(response, refusal);
          return true;
        }
        load.requests += 1;
        response.once("close", () => (load.requests -= 1));
        if (needsBodyCheck(request)) {
          void readAll(request).then(
            async (body) => {
              const invalid = await bodyRefusal(request.headers["content-type"], body);
              if (invalid) answer(response, invalid);
              else emit.call(this, event, replayOf(request, body), response);
            },
            () => request.destroy(),
          );
          return true;
        }
      }
      return emit.call(this, event, ...args);
    } as typeof server.emit;
  });
}
