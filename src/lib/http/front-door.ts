import { subscribe } from "node:diagnostics_channel";
import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { singleton } from "@/lib/singleton";
import { PAGE_BODY_LIMIT_BYTES } from "./limits";

/**
 * Requests Next.js itself would answer with a 500 (it fails inside its router, before any of our
 * code runs) are refused at the HTTP server's front door with the usual JSON error shape: methods
 * the Fetch API cannot represent (TRACE, TRACK, CONNECT…), paths whose percent-encoding does not
 * decode, and page-path bodies that are too large or of unknown length (the proxy would buffer a
 * truncated body and a multipart parse of it fails). Pure decisions in refusalFor(), tested alone.
 */

export interface Refusal {
  status: 400 | 405 | 411 | 413;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** Paths that read their own bodies with a streaming limit (API routes, webhooks, the tunnel). */
const SELF_LIMITED = /^\/(api|monitoring)(\/|$)/;

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

/** Puts the front door in front of the standalone server's request handler (once per server). */
export function installFrontDoor(): void {
  const guarded = singleton("http.front-door", () => new WeakSet<Server>());
  subscribe("net.server.socket", (message) => {
    const server = (message as { socket: Socket & { server?: unknown } }).socket.server;
    if (!(server instanceof Server) || guarded.has(server)) return;
    guarded.add(server);
    const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
    server.emit = function guardedEmit(this: Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const [request, response] = args as [IncomingMessage, ServerResponse];
        const refusal = refusalFor(request);
        if (refusal) {
          answer(response, refusal);
          return true;
        }
      }
      return emit.call(this, event, ...args);
    } as typeof server.emit;
  });
}
