import { afterEach, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { appConnections, createDatabase, probe, startLoad, type LoadRecord } from "./support";

const DRAIN_SECONDS = 2;
const TIMEOUT_SECONDS = 5;
/** Requests sent this close to the end of the drain race the listener closing. */
const BOUNDARY_MS = 100;
const CONNECTION_ERRORS = ["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "other side closed"];

/**
 * SIGTERM to the standalone server under continuous load: readiness flips at once, the drain
 * period loses nothing, accepted requests finish, the process exits 0 and leaves no connection.
 * The "tenant API" load runs on /api/health with HEALTH_CACHE_MS=0 (a database query per request)
 * until the tenant API (/api/v1/projects) lands on this branch.
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
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: inject("redisUrl"),
        HEALTH_CACHE_MS: "0",
        SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
        SHUTDOWN_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      },
    });
    return { server, adminUrl, database };
  }

  it("drains, finishes every accepted request, exits 0 in time and closes the pool", async () => {
    const { server, adminUrl, database } = await startLoadedServer();
    const load = startLoad(server.url, ["/health/live", "/api/health"], 20);
    const readiness = startLoad(server.url, ["/health/ready"], 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await appConnections(adminUrl, database.name)).toBeGreaterThan(0);

    const signalAt = performance.now();
    server.process.kill("SIGTERM");
    const code = await server.exited;
    const exitedAt = performance.now();
    await Promise.all([load.stop(), readiness.stop()]);
    const drainEnd = signalAt + DRAIN_SECONDS * 1000;

    // (1) readiness flips to 503 within 100 ms of the signal: every probe sent from then on gets
    // 503 (a probe's own latency under this load is not part of the flip).
    const readyAfter = readiness.records.filter((r) => r.sentAt >= signalAt + 100 && r.status !== undefined);
    expect(readyAfter.length, "readiness probes after the flip").toBeGreaterThan(0);
    expect(readyAfter.filter((r) => r.status !== 503)).toEqual([]);
    const lastReady = readiness.records.filter((r) => r.sentAt >= signalAt && r.status === 200).at(-1);
    console.log(
      `[shutdown] last 200 from /health/ready: probe sent ${lastReady ? (lastReady.sentAt - signalAt).toFixed(0) : "-"} ms after SIGTERM; ` +
        `${load.records.length} requests, ${load.records.filter((r) => r.error).length} refused after the drain; ` +
        `exit ${code} after ${(exitedAt - signalAt).toFixed(0)} ms`,
    );

    // (2) nothing sent during the drain period fails.
    const duringDrain = load.records.filter((r) => r.sentAt >= signalAt && r.sentAt < drainEnd - BOUNDARY_MS);
    expect(duringDrain.length).toBeGreaterThan(100);
    expect(duringDrain.filter((r) => r.status !== 200)).toEqual([]);

    // (3) every request that got an answer got its normal status; the only failures are
    // connections attempted once the listener closed at the end of the drain.
    const answered = load.records.filter((r) => r.status !== undefined);
    expect(answered.filter((r) => r.status !== 200)).toEqual([]);
    const failed: LoadRecord[] = load.records.filter((r) => r.error !== undefined);
    expect(failed.filter((r) => r.sentAt < drainEnd - BOUNDARY_MS)).toEqual([]);
    expect(failed.filter((r) => !CONNECTION_ERRORS.some((known) => r.error!.includes(known)))).toEqual([]);

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
