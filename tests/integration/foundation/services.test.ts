import { Redis } from "ioredis";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { requireRedis } from "../../support/redis";

describe("integration services", () => {
  it("reaches a real PostgreSQL 16 or newer", async () => {
    const sql = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ version: number }[]>`select current_setting('server_version_num')::int as version`;
      expect(row!.version).toBeGreaterThanOrEqual(160000);
    } finally {
      await sql.end();
    }
  });

  const redis = requireRedis(inject("redisUrl"));
  it.skipIf(!redis.url)("reaches a real Redis", async () => {
    const client = new Redis(redis.url!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.disconnect();
    }
  });
});
