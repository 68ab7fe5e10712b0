import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * Anonymous requests cannot make the server write more than its own line (issue 20, log and event
 * amplification): a CSP report of 40 violations, a webhook nobody configured, envelopes for a Sentry
 * host that does not answer. Production server; the Sentry host is a local socket that accepts and
 * never answers.
 */

let server: StandaloneServer;
let blackhole: Server;
const held: Socket[] = [];
/** What each held connection sent: the server's own Sentry SDK may connect too, so tunnel posts are told by their body. */
const received = new Map<Socket, string>();
const DSN_PROJECT = "7";

beforeAll(async () => {
  blackhole = createServer((socket) => {
    held.push(socket);
    received.set(socket, "");
    socket.on("data", (chunk: Buffer) => received.set(socket, received.get(socket)! + chunk.toString("latin1")));
  });
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  const { port } = blackhole.address() as { port: number };
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      NEXT_PUBLIC_SENTRY_DSN: `http://public@127.0.0.1:${port}/${DSN_PROJECT}`,
      // No CLERK_WEBHOOK_SECRET: the webhook integration is off.
    },
  });
});

afterAll(async () => {
  await server?.stop();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => blackhole?.close(resolve));
});

/** The server's lines for one request (its id is on each), once the request's own line has arrived. */
async function linesOf(response: Response): Promise<string[]> {
  const id = response.headers.get("x-request-id")!;
  await expect
    .poll(() => server.logs.some((line) => line.includes(id) && line.includes("request completed")))
    .toBe(true);
  return server.logs.filter((line) => line.includes(id));
}

describe("endpoints anyone can call", () => {
  it("log a CSP report of 40 violations in at most two lines (its own and one summary)", async () => {
    const report = Array.from({ length: 40 }, (_, index) => ({
      type: "csp-violation",
      body: {
        documentURL: `${server.url}/projects`,
        effectiveDirective: "script-src-elem",
        blockedURL: `https://cdn${index}.example/x.js`,
      },
    }));
    const response = await fetch(`${server.url}/api/csp-report`, {
      method: "POST",
      headers: { "content-type": "application/reports+json" },
      body: JSON.stringify(report),
    });
    expect(response.status).toBe(204);
    const lines = await linesOf(response);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.join("\n")).toContain('"count":40');
    // The same report again within the minute: its violations were just logged, only the request's line.
    const again = await fetch(`${server.url}/api/csp-report`, {
      method: "POST",
      headers: { "content-type": "application/reports+json" },
      body: JSON.stringify(report),
    });
    expect(await linesOf(again)).toHaveLength(1);
  });

  it("answer the webhook 404 and log nothing but the request's line when it is not configured", async () => {
    const response = await fetch(`${server.url}/api/webhooks/clerk`, {
      method: "POST",
      headers: { "content-type": "application/json", "svix-id": "msg_1" },
      body: "{}",
    });
    expect(response.status).toBe(404);
    const lines = await linesOf(response);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"level":"info"');
  });

  it("answer the Sentry tunnel 503 when Sentry does not answer, warn-level, and stop trying for a while", async () => {
    const marker = `quiet-endpoints-${Date.now()}`;
    const envelope = `${JSON.stringify({ dsn: `http://public@127.0.0.1:${(blackhole.address() as { port: number }).port}/${DSN_PROJECT}` })}\n{"type":"${marker}"}\n`;
    const tunnelled = () => [...received.values()].filter((data) => data.includes(marker)).length;
    // The first waits for the upstream's timeout (2 s); the second is answered without trying.
    const first = await fetch(`${server.url}/monitoring`, { method: "POST", body: envelope });
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("10");
    const second = await fetch(`${server.url}/monitoring`, { method: "POST", body: envelope });
    expect(second.status).toBe(503);
    // The first reached the Sentry host (its bytes may still be on their way), the second did not try.
    await expect.poll(tunnelled).toBeGreaterThanOrEqual(1);
    expect(tunnelled()).toBe(1);
    for (const response of [first, second]) {
      const lines = await linesOf(response);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('"level":"warn"');
    }
    expect(server.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
