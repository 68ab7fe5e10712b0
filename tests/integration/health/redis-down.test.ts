import { afterEach, describe, expect, inject, it } from "vitest";
import { startRedis, type RedisHandle } from "../../support/redis";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { createDatabase, expectSanitized, pollUntil, probe, startLoad } from "./support";

/** Redis is optional unless REDIS_REQUIRED: losing it degrades the report and fails no request. */
describe.skipIf(missingRequirement("redis-server", "readiness and health with Redis stopped"))(
  "health with Redis stopped",
  () => {
    let server: StandaloneServer | undefined;
    let redis: RedisHandle | undefined;

    afterEach(async () => {
      await server?.stop();
      await redis?.stop();
      server = redis = undefined;
    });

    async function startWithRedis(required: boolean) {
      redis = await startRedis();
      const databaseUrl = (await createDatabase(inject("databaseUrl"))).url;
      server = await startStandaloneServer({
        dir: inject("standaloneDir"),
        env: { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, REDIS_REQUIRED: String(required) },
      });
      await pollUntil(`${server.url}/api/health`, (r) => JSON.parse(r.body).status === "healthy", 5000);
      return { server, redis, databaseUrl };
    }

    it("reports degraded 200 with redis down, keeps readiness 200 when Redis is optional, and fails no request", async () => {
      const { server, redis, databaseUrl } = await startWithRedis(false);
      const load = startLoad(server.url, ["/health/live", "/health/ready", "/api/health"], 3);
      await redis.stop();
      const health = await pollUntil(
        `${server.url}/api/health`,
        (r) => r.status === 200 && r.body.includes('"degraded"'),
        3000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await load.stop();

      const body = JSON.parse(health.body);
      expect(body.checks.redis).toMatchObject({ status: "down", error: expect.any(String) });
      expect(body.checks.database.status).toBe("up");
      expectSanitized(health.body, { databaseUrl, redisUrl: redis.url });
      expect((await probe(`${server.url}/health/ready`)).status).toBe(200);
      const failed = load.records.filter((r) => r.error !== undefined || r.status !== 200);
      expect(failed).toEqual([]);
      expect(load.records.length).toBeGreaterThan(30);
    });

    it("turns readiness 503 when Redis is required, while /api/health stays degraded 200", async () => {
      const { server, redis, databaseUrl } = await startWithRedis(true);
      await redis.stop();
      const ready = await pollUntil(`${server.url}/health/ready`, (r) => r.status === 503, 3000);
      expect(JSON.parse(ready.body)).toEqual({ status: "not-ready", failing: ["redis"] });
      const health = await probe(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body).status).toBe("degraded");
      expect((await probe(`${server.url}/health/live`)).status).toBe(200);
      expectSanitized(ready.body + health.body, { databaseUrl, redisUrl: redis.url });
    });

    it("reconnects by itself when Redis comes back on the same port", async () => {
      const { server, redis: first } = await startWithRedis(true);
      await first.stop();
      await pollUntil(`${server.url}/health/ready`, (r) => r.status === 503, 3000);
      redis = await startRedis(first.port);
      const ready = await pollUntil(`${server.url}/health/ready`, (r) => r.status === 200, 5000);
      expect(ready.afterMs).toBeLessThan(5000);
      expect(JSON.parse((await probe(`${server.url}/api/health`)).body).checks.redis.status).toBe("up");
    });
  },
);
