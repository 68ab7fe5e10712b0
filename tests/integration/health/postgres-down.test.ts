import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { startPostgres, type EmbeddedPostgresHandle } from "../../support/postgres";
import { migrateDatabase } from "../../support/migrate";
import { requireRedis } from "../../support/redis";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";
import { expectSanitized, pollUntil, probe, removeDir } from "./support";

/**
 * PostgreSQL stops under a running app and comes back on the same port and data directory: the
 * app notices within the stated bounds, answers fast 503s meanwhile, and recovers unrestarted.
 * The tests share one server and run in order (stop, observe, restart).
 */
describe("health with PostgreSQL stopped and restarted", () => {
  const redis = requireRedis(inject("redisUrl"));
  const sessionSecret = "health-test-session-secret-0123456789abcdef";
  let cluster: EmbeddedPostgresHandle;
  let server: StandaloneServer;
  let stoppedAt: number;
  let tenantCookie: string;
  let tenantApiWhileUp: number;

  beforeAll(async () => {
    cluster = await startPostgres({ persistent: true });
    await migrateDatabase(cluster.url);
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: cluster.url, REDIS_URL: redis.url, SESSION_SECRET: sessionSecret },
    });
    await pollUntil(`${server.url}/health/ready`, (r) => r.status === 200, 5000);
    const sql = adminSql(cluster.url);
    const tenant = await createTenant(sql);
    await sql.end();
    const token = await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, sessionSecret);
    tenantCookie = `${LOCAL_SESSION_COOKIE}=${token}`;
    tenantApiWhileUp = (await probe(`${server.url}/api/v1/projects`, { headers: { cookie: tenantCookie } })).status;
    await cluster.stop();
    stoppedAt = performance.now();
  });

  afterAll(async () => {
    await server?.stop();
    await cluster?.stop().catch(() => {});
    if (cluster) await removeDir(cluster.dataDir);
  });

  it("turns /health/ready 503 within 2 s", async () => {
    const ready = await pollUntil(`${server.url}/health/ready`, (r) => r.status === 503, 2000);
    expect(performance.now() - stoppedAt).toBeLessThan(2000);
    expect(JSON.parse(ready.body)).toEqual({ status: "not-ready", failing: ["database"] });
  });

  it("keeps /health/live 200", async () => {
    expect((await probe(`${server.url}/health/live`)).status).toBe(200);
  });

  it("answers /api/health unhealthy 503 within 3 s", async () => {
    const health = await pollUntil(`${server.url}/api/health`, (r) => r.status === 503, 3000);
    expect(performance.now() - stoppedAt).toBeLessThan(3000);
    expect(JSON.parse(health.body)).toMatchObject({
      status: "unhealthy",
      checks: { database: { status: "down", error: expect.any(String) }, migrations: { status: "unknown" } },
    });
  });

  it("gives nothing away in any health body: no connection string, password, host or stack", async () => {
    for (const path of ["/health/ready", "/api/health", "/health/live"]) {
      const response = await probe(`${server.url}${path}`);
      expectSanitized(response.body, { databaseUrl: cluster.url, redisUrl: redis.url });
    }
  });

  it("fails tenant API requests fast with a 503 JSON error", async () => {
    expect(tenantApiWhileUp, "the same request while PostgreSQL was up").toBe(200);
    const response = await probe(`${server.url}/api/v1/projects`, { headers: { cookie: tenantCookie } });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: "service_unavailable" } });
    expect(response.ms).toBeLessThan(2000);
    expectSanitized(response.body, { databaseUrl: cluster.url, redisUrl: redis.url });
  });

  it("returns /health/ready to 200 within 5 s of PostgreSQL coming back, without a restart", async () => {
    cluster = await startPostgres({ persistent: true, port: cluster.port, dataDir: cluster.dataDir });
    const ready = await pollUntil(`${server.url}/health/ready`, (r) => r.status === 200, 5000);
    expect(ready.afterMs).toBeLessThan(5000);
    expect(server.process.exitCode).toBeNull();
  });
});
