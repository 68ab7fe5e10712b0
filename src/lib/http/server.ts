import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";
import path from "node:path";
import { getEnv, type ServerEnv } from "@/lib/env";
import { getLogger } from "@/lib/logger";
import { createRequestObserver, observeInFlight } from "@/lib/observability";
import { consumeRateLimit } from "@/lib/rate-limit";
import { configuredPageSecurityHeaders } from "@/lib/security";
import { installShutdownHandlers, isShuttingDown, type DrainableServer } from "@/lib/shutdown";
import { ConnectionTracker } from "./connections";
import { InFlightAccount } from "./in-flight";
import { answer, createPipeline, recordAnswer, type NextRequestHandler } from "./pipeline";
import type { RouteTable } from "./routes";

/**
 * The HTTP server of the process (ADR 0063): Node's http.Server, owned here, with the request
 * pipeline (./pipeline.ts) in front of Next's request handler, which Next's public custom-server API
 * gives (`next({ ... }).getRequestHandler()`). `node server.js` in the standalone output is this
 * module, bundled by scripts/build-server.mjs in place of the server Next generates.
 */

export interface HttpServerOptions {
  /** The route table (src/routes.ts). */
  routes: RouteTable;
  /** The app's route templates, listed by the build; undefined in development. */
  routeTemplates?: readonly string[];
  /** The app's directory: the standalone output (production) or the project (development). */
  dir: string;
  dev: boolean;
}

/**
 * What Next's own generated server.js does before it starts (docs/framework-contracts.md, "Standalone
 * server config"): the build's config, serialized, where Next's loader looks for it (the standalone
 * output has no next.config), and the origin Next uses to call itself (a server action's redirect
 * renders the next page through a request to this origin).
 */
function prepareNextEnvironment(options: HttpServerOptions, port: number): void {
  if (!options.dev) {
    const manifest = path.join(options.dir, ".next", "required-server-files.json");
    const { config } = JSON.parse(readFileSync(manifest, "utf8")) as { config: object };
    process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
  }
  process.env.__NEXT_PRIVATE_ORIGIN = `http://127.0.0.1:${port}`;
}

/** The HTTP server's own answers in the JSON error shape: malformed requests, and requests that did not arrive in time. */
function onClientError(connections: ConnectionTracker) {
  const statusOf = (code: string | undefined) =>
    code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? ({ status: 408, code: "request_timeout", message: "The request did not arrive in time." } as const)
      : code === "HPE_HEADER_OVERFLOW"
        ? ({ status: 431, code: "headers_too_large", message: "The request headers are too large." } as const)
        : ({ status: 400, code: "bad_request", message: "The request is not valid HTTP." } as const);
  return (error: Error & { code?: string }, socket: Socket) => {
    // The client went away mid-request (a reset, or its end of the connection closed before the
    // body's end): nobody to answer; the request is logged as closed by the client.
    if (error.code === "ECONNRESET" || error.code === "HPE_INVALID_EOF_STATE" || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal = statusOf(error.code);
    const inFlight = connections.responseOn(socket);
    if (inFlight && !inFlight.headersSent) {
      recordAnswer(inFlight, refusal.status);
      answer(inFlight, { ...refusal, headers: { Connection: "close" } });
      inFlight.once("finish", () => socket.destroy());
      return;
    }
    if (socket.writable && !inFlight) {
      const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
      socket.end(
        `HTTP/1.1 ${refusal.status} ${refusal.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function drainable(
  server: ReturnType<typeof createServer>,
  inFlight: InFlightAccount,
  connections: ConnectionTracker,
): DrainableServer {
  return {
    get listening() {
      return server.listening;
    },
    acceptedTotal: () => connections.acceptedTotal,
    // net.Server#close, not http.Server#close: the latter (Node ≥ 19) also destroys every connection
    // without a request in progress, including those just accepted whose request is on its way
    // (docs/framework-contracts.md, "Closing the listener only").
    stopAccepting: () => new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())),
    closeIdleConnections: (includeFresh) => connections.closeIdle(includeFresh),
    closeAllConnections: () => server.closeAllConnections(),
    connectionCounts: () => connections.counts(),
    inFlight,
  };
}

function pipelineSettings(env: Readonly<ServerEnv>, options: HttpServerOptions) {
  const https = env.APP_URL?.startsWith("https:") ?? false;
  return {
    routes: options.routes,
    appHost: env.APP_URL ? new URL(env.APP_URL).host : undefined,
    maxInFlight: env.MAX_IN_FLIGHT_REQUESTS,
    maxInFlightPerClient: env.MAX_IN_FLIGHT_PER_CLIENT,
    callerTurns: { concurrent: env.MAX_CONCURRENT_PER_CALLER, queued: env.MAX_QUEUED_PER_CALLER },
    pageHeaders: configuredPageSecurityHeaders(env, { https }),
    observer: createRequestObserver({
      routeTemplates: options.routeTemplates,
      trustedProxyHops: env.TRUSTED_PROXY_HOPS,
      clientIpHeader: env.CLIENT_IP_HEADER,
    }),
    consumeRateLimit,
    isShuttingDown,
    logger: getLogger,
  };
}

/**
 * Starts the server: listens at once (a request that arrives while Next prepares waits for it),
 * prepares Next (which runs src/instrumentation.ts), installs the graceful shutdown, and resolves
 * once Next can serve.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<void> {
  const env = getEnv();
  const { HOSTNAME: hostname, PORT: port } = env;
  const started = performance.now();
  prepareNextEnvironment(options, port);

  const inFlight = new InFlightAccount();
  const connections = new ConnectionTracker();
  observeInFlight(() => inFlight.total);
  // Next's handler, once Next has prepared: requests that arrive earlier wait for it.
  const next: { handler?: Promise<NextRequestHandler> } = {};
  const server = createServer(
    {
      requestTimeout: env.REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeout: env.HEADERS_TIMEOUT_SECONDS * 1000,
      keepAliveTimeout: env.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
      // How often Node checks the two timeouts above (default 30 s): the bound on how late a cut comes.
      connectionsCheckingInterval: 1000,
    },
    createPipeline(pipelineSettings(env, options), inFlight, connections, () => next.handler!),
  );
  server.on("connection", (socket: Socket) => connections.add(socket));
  server.on("clientError", onClientError(connections));

  // Loaded here, not at the top: the server sets NODE_ENV and Next's environment before Next loads.
  const { default: createNextServer } = await import("next");
  const app = createNextServer({ dev: options.dev, dir: options.dir, hostname, port, httpServer: server });
  next.handler = app.prepare().then(() => {
    const handle = app.getRequestHandler();
    return (request: IncomingMessage, response: ServerResponse) => handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  installShutdownHandlers(drainable(server, inFlight, connections));
  await next.handler;
  getLogger().info(
    { port, hostname, readyMs: Math.round(performance.now() - started), dev: options.dev },
    "server ready",
  );
}
