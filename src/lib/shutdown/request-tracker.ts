import { subscribe } from "node:diagnostics_channel";
import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { state } from "./state";

/**
 * Finds the standalone server's http.Server and counts in-flight requests, from outside Next:
 * Node's diagnostics channels report every accepted connection (with its server) and every
 * request (with its response). Next 16 exposes no hook for either.
 */
export function installRequestTracker(): void {
  if (state.trackerInstalled) return;
  state.trackerInstalled = true;

  subscribe("net.server.socket", (message) => {
    const { socket } = message as { socket: Socket & { server?: unknown } };
    if (!state.server && socket.server instanceof Server) state.server = socket.server;
  });

  subscribe("http.server.request.start", (message) => {
    const { response, server } = message as { request: IncomingMessage; response: ServerResponse; server: Server };
    state.server ??= server;
    state.inFlight.add(response);
    // From the first signal on, every response asks the client to reconnect: keep-alive clients
    // move to other instances during the drain, and no connection outlives its last response.
    if (state.phase !== "running") askToCloseConnection(response);
    response.once("close", () => {
      state.inFlight.delete(response);
      for (const listener of state.onResponseClosed) listener();
    });
  });
}

/** Sends `Connection: close` with this response (Node then ends the socket after it). */
export function askToCloseConnection(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader("Connection", "close");
}
