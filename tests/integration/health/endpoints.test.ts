import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requireRedis } from "../../support/redis";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { createDatabase, expectSanitized, probe } from "./support";

/** The three endpoints with PostgreSQL and Redis up, against the production standalone server. */
describe("health endpoints with every dependency up", () => {
  const redis = requireRedis(inject("redisUrl"));
  let server: StandaloneServer;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = (await createDatabase(inject("databaseUrl"))).url;
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, REDIS_REQUIRED: redis.url ? "true" : "false" },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("answers /health/live 200 with a tiny plain body and no-store", async () => {
    const live = await probe(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toBe("ok\n");
    expect(live.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(live.headers.get("cache-control")).toBe("no-store");
  });

  it("answers /health/ready 200 ready with no-store", async () => {
    const ready = await probe(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: "ready" });
    expect(ready.headers.get("cache-control")).toBe("no-store");
  });

  it("answers /api/health 200 healthy with version, uptime and every check", async () => {
    const health = await probe(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("cache-control")).toBe("no-store");
    const body = JSON.parse(health.body);
    expect(body).toMatchObject({
      status: "healthy",
      version: expect.any(String),
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      uptimeSeconds: expect.any(Number),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      checks: {
        database: { status: "up", latencyMs: expect.any(Number) },
        migrations: { status: "up-to-date", pending: 0 },
      },
    });
    expect(body).toHaveProperty("commit");
    expect(body.checks.redis).toEqual(
      redis.url ? { status: "up", latencyMs: expect.any(Number) } : { status: "not-configured" },
    );
    expectSanitized(health.body, { databaseUrl, redisUrl: redis.url });
  });

  it("answers HEAD on all three with the GET status and no body", async () => {
    for (const path of ["/health/live", "/health/ready", "/api/health"]) {
      const head = await probe(`${server.url}${path}`, { method: "HEAD" });
      expect(head.status, path).toBe(200);
      expect(head.body, path).toBe("");
      expect(head.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("needs no authentication: no session cookie, no redirect", async () => {
    for (const path of ["/health/live", "/health/ready", "/api/health"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(200);
    }
  });

  it("does not log successful probes", async () => {
    const before = server.logs.length;
    for (let i = 0; i < 20; i += 1) await probe(`${server.url}/health/ready`);
    const probeLines = server.logs.slice(before).filter((line) => line.includes("health"));
    expect(probeLines).toEqual([]);
  });
});
