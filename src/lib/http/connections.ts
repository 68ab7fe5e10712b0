import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionCounts } from "@/lib/shutdown";

/**
 * The server's open connections: how many responses each has in flight and whether it has carried
 * a request yet, so the shutdown can close idle ones at once and give fresh ones a moment to send
 * their first request. Fed by the server's `connection` event and the pipeline.
 */
export class ConnectionTracker {
  private readonly open = new Map<Socket, { inFlight: number; used: boolean; latest?: ServerResponse }>();
  private accepted = 0;

  get acceptedTotal(): number {
    return this.accepted;
  }

  add(socket: Socket): void {
    this.accepted += 1;
    this.open.set(socket, { inFlight: 0, used: false });
    socket.once("close", () => this.open.delete(socket));
  }

  /** A request arrived on `socket`; its response is in flight until requestEnded(). */
  requestStarted(socket: Socket, response: ServerResponse): void {
    const connection = this.open.get(socket);
    if (!connection) return;
    connection.inFlight += 1;
    connection.used = true;
    connection.latest = response;
  }

  /** The response of a request on `socket` has closed. */
  requestEnded(socket: Socket, response: ServerResponse): void {
    const connection = this.open.get(socket);
    if (!connection) return;
    connection.inFlight -= 1;
    if (connection.latest === response) connection.latest = undefined;
  }

  /** The response in flight on `socket`, if any (the HTTP server answers for it when its request times out). */
  responseOn(socket: Socket): ServerResponse | undefined {
    return this.open.get(socket)?.latest;
  }

  /** Destroys connections with nothing in flight: kept-alive ones and, when `includeFresh`, those awaiting their first request. */
  closeIdle(includeFresh: boolean): number {
    let closed = 0;
    for (const [socket, connection] of this.open) {
      if (connection.inFlight === 0 && (connection.used || includeFresh)) {
        socket.destroy();
        closed += 1;
      }
    }
    return closed;
  }

  counts(): ConnectionCounts {
    const counts = { busy: 0, idle: 0, awaitingFirstRequest: 0 };
    for (const connection of this.open.values()) {
      if (connection.inFlight > 0) counts.busy += 1;
      else if (connection.used) counts.idle += 1;
      else counts.awaitingFirstRequest += 1;
    }
    return counts;
  }
}
