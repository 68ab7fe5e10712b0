import { describe, expect, it } from "vitest";
import {
  httpStatusForHealth,
  httpStatusForReadiness,
  overallStatus,
  pendingMigrations,
  readinessFrom,
  type DependencyCheck,
  type MigrationsCheck,
  type RedisCheck,
} from "@/lib/health/status";

const up: DependencyCheck = { status: "up", latencyMs: 2 };
const down: DependencyCheck = { status: "down", latencyMs: 1000, error: "timed out" };
const notConfigured: RedisCheck = { status: "not-configured" };
const upToDate: MigrationsCheck = { status: "up-to-date", pending: 0 };
const pending: MigrationsCheck = { status: "pending", pending: 2 };
const unknown: MigrationsCheck = { status: "unknown", pending: null };

describe("overallStatus", () => {
  it("is healthy when the database and Redis are up and migrations are applied", () => {
    expect(overallStatus({ database: up, redis: up, migrations: upToDate })).toBe("healthy");
  });

  it("is healthy without Redis configured", () => {
    expect(overallStatus({ database: up, redis: notConfigured, migrations: upToDate })).toBe("healthy");
  });

  it("is degraded when Redis is down", () => {
    expect(overallStatus({ database: up, redis: down, migrations: upToDate })).toBe("degraded");
  });

  it("is degraded when migrations are pending", () => {
    expect(overallStatus({ database: up, redis: up, migrations: pending })).toBe("degraded");
  });

  it("is unhealthy when the database is down, whatever else holds", () => {
    expect(overallStatus({ database: down, redis: up, migrations: unknown })).toBe("unhealthy");
    expect(overallStatus({ database: down, redis: down, migrations: unknown })).toBe("unhealthy");
  });
});

describe("httpStatusForHealth", () => {
  it("answers 200 for healthy and degraded and 503 for unhealthy", () => {
    expect(httpStatusForHealth("healthy")).toBe(200);
    expect(httpStatusForHealth("degraded")).toBe(200);
    expect(httpStatusForHealth("unhealthy")).toBe(503);
  });
});

describe("readinessFrom", () => {
  it("is ready when the database is up and Redis is optional and down", () => {
    const readiness = readinessFrom({ draining: false, checks: { database: up, redis: down }, redisRequired: false });
    expect(readiness).toEqual({ status: "ready", failing: [] });
    expect(httpStatusForReadiness(readiness)).toBe(200);
  });

  it("is not ready when the database is down", () => {
    const readiness = readinessFrom({ draining: false, checks: { database: down, redis: up }, redisRequired: false });
    expect(readiness).toEqual({ status: "not-ready", failing: ["database"] });
    expect(httpStatusForReadiness(readiness)).toBe(503);
  });

  it("is not ready when Redis is required and down", () => {
    expect(readinessFrom({ draining: false, checks: { database: up, redis: down }, redisRequired: true })).toEqual({
      status: "not-ready",
      failing: ["redis"],
    });
  });

  it("is draining while shutting down, even with every dependency up", () => {
    const readiness = readinessFrom({ draining: true, checks: { database: up, redis: up }, redisRequired: false });
    expect(readiness.status).toBe("draining");
    expect(httpStatusForReadiness(readiness)).toBe(503);
  });
});

describe("pendingMigrations", () => {
  const journal = [1000, 2000, 3000];

  it("counts every shipped migration when none is applied", () => {
    expect(pendingMigrations(journal, null)).toBe(3);
  });

  it("counts the migrations newer than the last applied one", () => {
    expect(pendingMigrations(journal, 2000)).toBe(1);
  });

  it("is zero when the database is at or ahead of the app", () => {
    expect(pendingMigrations(journal, 3000)).toBe(0);
    expect(pendingMigrations(journal, 4000)).toBe(0);
  });
});
