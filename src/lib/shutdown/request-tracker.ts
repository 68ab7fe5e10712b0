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
    if (!(socket.server instanceof Server)) return;
    state.server ??= socket.server;
    state.connections.set(socket, { inFlight: 0, used: false });
    socket.once("close", () => state.connections.delete(socket));
  });

  subscribe("http.server.request.start", (message) => {
    const { response, socket, server } = message as {
      request: IncomingMessage;
      response: ServerResponse;
      socket: Socket;
      server: Server;
    };
    state.server ??= server;
    state.inFlight.add(response);
    const connection = state.connections.get(socket);
    if (connection) {
      connection.inFlight += 1;
      connection.used = true;
    }
    // From the first signal on, every response asks the client to reconnect: keep-alive clients
    // move to other instances during the drain, and no connection outlives its last response.
    if (state.phase !== "running") askToCloseConnection(response);
    response.once("close", () => {
      state.inFlight.delete(response);
      if (connection) connection.inFlight -= 1;
      for (const listener of state.onResponseClosed) listener();
    });
  });
}

/**
 * Destroys connections with nothing in flight: kept-alive ones that already served a request and,
 * when `includeFresh`, accepted ones whose first request has not arrived yet.
 */
export function closeIdleConnections(includeFresh: boolean): number {
  let closed = 0;
  for (const [socket, connection] of state.connections) {
    if (connection.inFlight === 0 && (connection.used || includeFresh)) {
      socket.destroy();
      closed += 1;
    }
  }
  return closed;
}

/** Open connections by state, for the shutdown log. */
export function connectionCounts(): { busy: number; idle: number; awaitingFirstRequest: number } {
  const counts = { busy: 0, idle: 0, awaitingFirstRequest: 0 };
  for (const connection of state.connections.values()) {
    if (connection.inFlight > 0) counts.busy += 1;
    else if (connection.used) counts.idle += 1;
    else counts.awaitingFirstRequest += 1;
  }
  return counts;
}

/** Sends `Connection: close` with this response (Node then ends the socket after it). */
export function askToCloseConnection(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader("Connection", "close");
}
