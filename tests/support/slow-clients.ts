import { connect, type Socket } from "node:net";

/**
 * Abusive clients for attack tests, on raw sockets: a request whose body never finishes arriving
 * (a byte every so often), sent from a loopback address of its own so the server sees a distinct
 * client (127.0.0.0/8 all reaches this machine). Traffic goes to 127.0.0.1-style addresses only.
 */

export interface TricklingRequest {
  socket: Socket;
  /** Resolves when the server (or the test) has closed the connection: when, and what the server answered. */
  closed: Promise<{ afterMs: number; answer: string }>;
}

export interface TrickleOptions {
  url: string;
  /** The client's own address, e.g. 127.0.0.2. */
  localAddress: string;
  /** Request line and headers after the Host header, e.g. a page post declaring a large body. */
  head: string;
  /** The body's first bytes, sent at once. */
  start: string;
  /** One more byte this often, until the server closes the connection. */
  byteEveryMs: number;
}

/** Opens the connection, sends the head and the first bytes, then trickles; resolves once connected. */
export function trickle(options: TrickleOptions): Promise<TricklingRequest> {
  const { hostname, port } = new URL(options.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    const socket = connect({ host: hostname, port: Number(port), localAddress: options.localAddress });
    const closed = new Promise<{ afterMs: number; answer: string }>((settle) => {
      socket.on("close", () => {
        clearInterval(timer);
        settle({ afterMs: Date.now() - started, answer });
      });
    });
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.once("connect", () => {
      socket.write(`${options.head.replace(/\r\n$/, "")}\r\nHost: ${hostname}:${port}\r\n\r\n${options.start}`);
      timer = setInterval(() => {
        if (!socket.destroyed && socket.writable) socket.write("1");
      }, options.byteEveryMs);
      resolve({ socket, closed });
    });
    socket.once("error", (error) => {
      if (!socket.connecting) return;
      reject(error);
    });
  });
}

/** The status code of a raw HTTP answer ("HTTP/1.1 408 …"), or undefined when none was sent. */
export function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match ? Number(match[1]) : undefined;
}
