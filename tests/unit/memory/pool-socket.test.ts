import { AsyncLocalStorage } from "node:async_hooks";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureStartupContext } from "@/lib/memory";
import { connectionOptions } from "@/lib/db/pool";
import type { ServerEnv } from "@/lib/env";

/**
 * A socket's callbacks run in the async context the socket was created in, and the socket holds
 * that context for as long as it lives. The pool's sockets outlive the request that opened them,
 * so they must not hold it (@/lib/memory: this is how the bench's memory run ran out of heap).
 */
const requestStore = new AsyncLocalStorage<string>();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((socket) => socket.end("hello"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  captureStartupContext();
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Opens a socket while serving "request-1" and returns the store its data callback sees. */
function storeSeenBySocketOpenedIn(open: () => Socket): Promise<string | undefined> {
  return requestStore.run("request-1", () => {
    const socket = open();
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.once("data", () => {
        resolve(requestStore.getStore());
        socket.destroy();
      });
    });
  });
}

describe("the database pool's sockets", () => {
  it("are opened outside the request that needed them", async () => {
    const options = connectionOptions({} as ServerEnv, { max: 1 }) as { socket?: (options: object) => Socket };
    const seen = await storeSeenBySocketOpenedIn(() => options.socket!({ host: ["127.0.0.1"], port: [port] }));
    expect(seen).toBeUndefined();
  });

  it("control: a socket opened plainly inside a request keeps that request", async () => {
    expect(await storeSeenBySocketOpenedIn(() => connect(port, "127.0.0.1"))).toBe("request-1");
  });
});
