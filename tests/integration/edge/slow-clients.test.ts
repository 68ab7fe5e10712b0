import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { statusOf, trickle, type TricklingRequest } from "../../support/slow-clients";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";

/**
 * One anonymous client trickling request bodies (issue 19): before the pipeline, 100 such sockets
 * held every in-flight slot and every page and the API answered 503 for as long as they lasted.
 * Now one address holds at most its share of the slots, and a body that has not arrived within
 * REQUEST_TIMEOUT_SECONDS is cut with 408, so everyone else keeps being served. Production server,
 * real PostgreSQL; the attacker speaks from 127.0.0.2, everyone else from 127.0.0.1.
 */

const SESSION_SECRET = randomBytes(32).toString("hex");
const REQUEST_TIMEOUT_SECONDS = 4;
const HEADERS_TIMEOUT_SECONDS = 2;
const PER_CLIENT = 20;
/** Node checks its request timeouts every second; the rest is room for a machine that is busy. */
const CUT_BOUND_MS = (REQUEST_TIMEOUT_SECONDS + 1) * 1000 + 6000;
const ATTACKER = "127.0.0.2";

let server: StandaloneServer;
let cookie: string;
const sql = adminSql(inject("databaseUrl"));
const opened: TricklingRequest[] = [];

beforeAll(async () => {
  const tenant = await createTenant(sql, { projects: ["Victim project"] });
  const token = await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, SESSION_SECRET);
  cookie = `${LOCAL_SESSION_COOKIE}=${token}`;
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      SESSION_SECRET,
      REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
      HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_SECONDS),
      MAX_IN_FLIGHT_PER_CLIENT: String(PER_CLIENT),
      RATE_LIMIT_PAGE_POST: "1000/60",
    },
  });
});

afterAll(async () => {
  for (const request of opened) request.socket.destroy();
  await server?.stop();
  await sql.end();
});

const errorLines = () => server.logs.filter((line) => line.includes('"level":"error"') || line.includes("⨯"));

describe("a client trickling request bodies", () => {
  it("keeps other clients served and cuts its sockets with 408 within the bound", async () => {
    const { host } = new URL(server.url);
    const attack = await Promise.all(
      Array.from({ length: 100 }, () =>
        trickle({
          url: server.url,
          localAddress: ATTACKER,
          head:
            "POST /sign-in HTTP/1.1\r\nNext-Action: 7f9d32e68c46238c6004c3e8f339afb6077eae2c6a\r\n" +
            `Origin: http://${host}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 60000\r\n`,
          start: "[",
          byteEveryMs: 500,
        }),
      ),
    );
    opened.push(...attack);
    let attackOver = false;
    const outcomes = Promise.all(attack.map((request) => request.closed)).finally(() => (attackOver = true));

    // Everyone else, while it lasts: the landing page and the signed-in API, four at a time.
    const statuses: number[] = [];
    const victim = async () => {
      for (let turn = 0; !attackOver && turn < 2000; turn++) {
        const page = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(10_000) });
        await page.arrayBuffer();
        const api = await fetch(`${server.url}/api/v1/projects`, {
          headers: { cookie },
          signal: AbortSignal.timeout(10_000),
        });
        await api.arrayBuffer();
        statuses.push(page.status, api.status);
      }
    };
    await Promise.all([victim(), victim(), victim(), victim()]);
    const results = await outcomes;

    const served = statuses.filter((status) => status === 200).length;
    expect(statuses.length).toBeGreaterThan(20);
    expect(
      served / statuses.length,
      JSON.stringify(statuses.filter((status) => status !== 200)),
    ).toBeGreaterThanOrEqual(0.95);
    const answers = results.map((result) => statusOf(result.answer));
    const cut = answers.filter((status) => status === 408).length;
    const refused = answers.filter((status) => status === 429).length;
    expect(cut + refused, JSON.stringify(answers)).toBe(100);
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThanOrEqual(PER_CLIENT);
    expect(Math.max(...results.map((result) => result.afterMs))).toBeLessThanOrEqual(CUT_BOUND_MS);
    expect(errorLines()).toEqual([]);
  });

  it("closes connections whose headers never finish arriving within the headers timeout", async () => {
    const { hostname, port } = new URL(server.url);
    const started = Date.now();
    const closedAfter = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<number>((resolve) => {
            const socket = connect({ host: hostname, port: Number(port), localAddress: "127.0.0.3" }, () =>
              socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "),
            );
            socket.on("error", () => {});
            // Reading: a socket nobody reads never notices that the server closed it.
            socket.resume();
            socket.on("close", () => resolve(Date.now() - started));
          }),
      ),
    );
    expect(Math.max(...closedAfter)).toBeLessThanOrEqual((HEADERS_TIMEOUT_SECONDS + 1) * 1000 + 6000);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
  });

  it("logs a client that closes its request mid-body as a closed request, not as an outage", async () => {
    const { hostname, port } = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port), localAddress: "127.0.0.4" }, () => {
        socket.write(
          `POST /api/v1/projects HTTP/1.1\r\nHost: ${hostname}\r\nCookie: ${cookie}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"abandoned',
          () => setImmediate(() => socket.destroy()),
        );
      });
      socket.on("close", () => resolve());
      socket.on("error", () => {});
    });
    await expect
      .poll(
        () => server.logs.find((line) => line.includes('"path":"/api/v1/projects"') && line.includes('"status":499')),
        {
          timeout: 10_000,
        },
      )
      .toBeDefined()
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${server.logs.slice(-8).join("\n")}`);
      });
    const line = server.logs.find((entry) => entry.includes('"status":499'))!;
    expect(line).toContain('"level":"info"');
    expect(line).toContain("request closed by the client");
    expect(
      server.logs.some((entry) => entry.includes("service_unavailable") || entry.includes("dependency unavailable")),
    ).toBe(false);
    expect(errorLines()).toEqual([]);
  });
});
