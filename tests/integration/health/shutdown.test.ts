import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";
import { appConnections, createDatabase, pollUntil, probe, startLoad, type LoadRecord } from "./support";

const DRAIN_SECONDS = 2;
const TIMEOUT_SECONDS = 5;
/** Requests sent this close to the end of the drain race the listener closing. */
const BOUNDARY_MS = 100;
const TENANT_API = "/api/v1/projects";
const CONNECTION_ERRORS = ["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "other side closed"];

/**
 * SIGTERM to the standalone server under continuous load: readiness flips at once, the drain
 * period loses nothing, accepted requests finish, the process exits 0 and leaves no connection.
 * The load: 20 clients on the tenant API (/api/v1/projects, signed in, a query per request) and
 * 20 on /health/live.
 */
describe("graceful shutdown under load", () => {
  let server: StandaloneServer | undefined;

  afterEach(async () => {
    if (server && server.process.exitCode === null) await server.stop("SIGKILL");
    server = undefined;
  });

  async function startLoadedServer() {
    const adminUrl = inject("databaseUrl");
    const database = await createDatabase(adminUrl);
    const sql = adminSql(database.url);
    const tenant = await createTenant(sql);
    await sql.end();
    const sessionSecret = randomBytes(32).toString("hex");
    const token = await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, sessionSecret);
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: inject("redisUrl"),
        SESSION_SECRET: sessionSecret,
        SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
        SHUTDOWN_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
        // The load's 20 connections are one signed-in caller: let every one of them run at once.
        MAX_CONCURRENT_PER_CALLER: "20",
      },
    });
    return { server, adminUrl, database, cookie: `${LOCAL_SESSION_COOKIE}=${token}` };
  }

  it("drains, finishes every accepted request, exits 0 in time and closes the pool", async () => {
    const { server, adminUrl, database, cookie } = await startLoadedServer();
    const headers = { cookie };
    await pollUntil(`${server.url}${TENANT_API}`, (r) => r.status === 200, 10_000, { headers });
    const load = startLoad(server.url, ["/health/live", TENANT_API], 20, { headers });
    const readiness = startLoad(server.url, ["/health/ready"], 1);
    // Under way: the tenant API has answered and the pool holds connections.
    for (let waited = 0; load.records.filter((r) => r.path === TENANT_API).length < 50; waited += 100) {
      if (waited > 30_000) {
        const summary = load.records.slice(-5).map((r) => `${r.path} ${r.status ?? r.error}`);
        throw new Error(`the load never got going: ${load.records.length} requests, last: ${summary.join(", ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await appConnections(adminUrl, database.name)).toBeGreaterThan(0);

    const signalAt = performance.now();
    server.process.kill("SIGTERM");
    const code = await server.exited;
    const exitedAt = performance.now();
    await Promise.all([load.stop(), readiness.stop()]);
    const drainEnd = signalAt + DRAIN_SECONDS * 1000;

    // A request was written to the connection after it was started and before its "finish" event
    // was seen (sentAt); on a busy test process the two can be far apart, so each bound below uses
    // the conservative end.
    const writtenWithin = (r: LoadRecord, from: number, to: number) =>
      r.startedAt >= from && r.sentAt !== undefined && r.sentAt < to;
    const describe = (r: LoadRecord) =>
      `${r.path} started at ${(r.startedAt - signalAt).toFixed(0)} ms, ` +
      `sent ${r.sentAt === undefined ? "never" : `by ${(r.sentAt - signalAt).toFixed(0)} ms`}` +
      `${r.reusedSocket ? " (reused connection)" : ""}: ${r.status ?? r.error} at ${(r.doneAt - signalAt).toFixed(0)} ms`;

    const problems = server.logs.filter(
      (line) => /"level":"(warn|error|fatal)"/.test(line) && !line.includes("AUTH_MODE"),
    );
    if (problems.length > 0) console.log(`[shutdown] server warnings and errors:\n${problems.slice(0, 10).join("\n")}`);

    // (1) readiness flips to 503 once the signal is handled, within the drain (which exists so that
    // the balancer sees the flip while the server still serves), and stays there: every probe sent
    // after the first 503 answer gets 503. When the server handles the signal is the scheduler's
    // business on a busy machine (380 ms beside stress-ng), so the flip is located by the answers.
    const firstDraining = readiness.records.find((r) => r.startedAt >= signalAt && r.status === 503);
    expect(firstDraining, "a readiness probe answered 503 after the signal").toBeDefined();
    expect(firstDraining!.doneAt, "the flip came within the drain").toBeLessThan(drainEnd);
    const readyAfter = readiness.records.filter((r) => r.startedAt >= firstDraining!.doneAt && r.status !== undefined);
    expect(readyAfter.length, "readiness probes after the flip").toBeGreaterThan(0);
    expect(readyAfter.filter((r) => r.status !== 503).map(describe)).toEqual([]);

    // (2) nothing sent during the drain period fails.
    const duringDrain = load.records.filter((r) => writtenWithin(r, signalAt, drainEnd - BOUNDARY_MS));
    expect(duringDrain.length).toBeGreaterThan(100);
    expect(duringDrain.filter((r) => r.status !== 200).map(describe)).toEqual([]);

    // (3) every request that got an answer got its normal status; the only failures are
    // connections attempted once the listener closed at the end of the drain.
    const answered = load.records.filter((r) => r.startedAt >= signalAt && r.status !== undefined);
    expect(answered.filter((r) => r.status !== 200).map(describe)).toEqual([]);
    const failed = load.records.filter((r) => r.error !== undefined);
    expect(failed.filter((r) => writtenWithin(r, 0, drainEnd - BOUNDARY_MS)).map(describe)).toEqual([]);
    expect(failed.filter((r) => !CONNECTION_ERRORS.some((known) => r.error!.includes(known))).map(describe)).toEqual(
      [],
    );
    console.log(
      `[shutdown] ${load.records.length} requests (${duringDrain.length} sent during the drain, all 200); ` +
        `${failed.length} refused or reset after it (earliest: ${failed.map(describe)[0] ?? "-"}); ` +
        `exit ${code} ${(exitedAt - signalAt).toFixed(0)} ms after SIGTERM`,
    );

    // (4) exit 0 within drain + timeout (0 also proves the timeout cut no request).
    expect(code).toBe(0);
    expect(exitedAt - signalAt).toBeLessThan((DRAIN_SECONDS + TIMEOUT_SECONDS) * 1000);

    // (5) the pool is closed: PostgreSQL holds no connection from the app.
    expect(await appConnections(adminUrl, database.name)).toBe(0);
    expect(server.logs.some((line) => line.includes('"shutdown complete"') && line.includes('"code":0'))).toBe(true);
  });

  it("exits at once, non-zero, on a second signal during the drain", async () => {
    const { server } = await startLoadedServer();
    expect((await probe(`${server.url}/health/ready`)).status).toBe(200);
    server.process.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(server.process.exitCode).toBeNull();
    const secondAt = performance.now();
    server.process.kill("SIGTERM");
    const code = await server.exited;
    expect(code).toBe(1);
    expect(performance.now() - secondAt).toBeLessThan(DRAIN_SECONDS * 1000);
  });
});
