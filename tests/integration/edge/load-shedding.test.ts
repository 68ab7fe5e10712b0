import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * Load shedding (MAX_IN_FLIGHT_REQUESTS): beyond the bound the server answers 503 at once instead
 * of queueing work its clients gave up on; probes are always answered. Requests are held in flight
 * deterministically: a server-action post whose body never finishes arriving (within
 * REQUEST_TIMEOUT_SECONDS, left at its default of 30 s here).
 */

let server: StandaloneServer;
const held: Socket[] = [];
const answered = new Set<Socket>();

beforeAll(async () => {
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: { DATABASE_URL: inject("databaseUrl"), MAX_IN_FLIGHT_REQUESTS: "2" },
  });
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await server?.stop();
});

/**
 * A GET whose answer is read to the end: a response body nobody reads keeps its request in flight
 * (the server is still writing it), which would take one of the two slots.
 */
async function statusOf(path: string): Promise<number> {
  const response = await fetch(`${server.url}${path}`);
  await response.arrayBuffer();
  return response.status;
}

/**
 * A request that stays in flight until its socket is closed: 10 of its 100 body bytes sent. One the
 * server answers at once (admitted while a just-finished response was still counted) is marked
 * `answered`, and the test holds another in its place.
 */
function holdARequest(): Promise<void> {
  const { port, hostname } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        "POST /projects/new HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n" +
          "Next-Action: 7f9d32e68c46238c6004c3e8f339afb6077eae2c6a\r\n" +
          'Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 100\r\n\r\n[{"a":1},',
        () => resolve(),
      );
    });
    socket.on("error", reject);
    socket.once("data", () => answered.add(socket));
    held.push(socket);
  });
}

describe("load shedding at the front door", () => {
  it("answers 503 overloaded with Retry-After beyond the bound, keeps answering probes, and recovers", async () => {
    expect(await statusOf("/")).toBe(200);
    // The two are in flight once the server has read their headers: wait for the refusal, bounded.
    let shed: Response | undefined;
    await expect
      .poll(
        async () => {
          while (held.filter((socket) => !answered.has(socket)).length < 2) await holdARequest();
          shed = await fetch(`${server.url}/`);
          if (shed.status !== 503) await shed.arrayBuffer();
          return shed.status;
        },
        { timeout: 10_000 },
      )
      .toBe(503);
    if (!shed) throw new Error("no answer");
    expect(shed.headers.get("retry-after")).toBe("1");
    expect(((await shed.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    expect(await statusOf("/health/live")).toBe(200);
    expect(await statusOf("/health/ready")).toBe(200);

    for (const socket of held.splice(0)) socket.destroy();
    await expect.poll(() => statusOf("/"), { timeout: 10_000 }).toBe(200);
  });
});
