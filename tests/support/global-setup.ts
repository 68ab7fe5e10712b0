import "vitest";
import type { TestProject } from "vitest/node";
import { startPostgres } from "./postgres";
import { startRedis } from "./redis";
import { REQUIREMENTS } from "./requirements";
import { migrateDatabase } from "./migrate";
import { ensureProductionBuild, prepareStandaloneCopy } from "./standalone-server";
import { rmSync } from "node:fs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a migrated test database. */
    databaseUrl: string;
    /** A real Redis, or undefined when none is available. */
    redisUrl: string | undefined;
    /** A copy of the production standalone server, outside the project tree. */
    standaloneDir: string;
  }
}

/**
 * Real services for the integration project: PostgreSQL (TEST_DATABASE_URL/DATABASE_URL, else a
 * throwaway embedded cluster), Redis (REDIS_URL, else redis-server on a free port when installed)
 * and the production build, copied outside the tree.
 */
export default async function setup(project: TestProject) {
  const cleanups: (() => Promise<void> | void)[] = [];

  let databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!databaseUrl) {
    const postgres = await startPostgres();
    cleanups.push(postgres.stop);
    databaseUrl = postgres.url;
  }
  await migrateDatabase(databaseUrl);

  let redisUrl = process.env.REDIS_URL || undefined;
  if (!redisUrl && REQUIREMENTS["redis-server"].available()) {
    const redis = await startRedis();
    cleanups.push(redis.stop);
    redisUrl = redis.url;
  }

  ensureProductionBuild();
  const standaloneDir = prepareStandaloneCopy();
  cleanups.push(() => rmSync(standaloneDir, { recursive: true, force: true }));

  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("standaloneDir", standaloneDir);

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
