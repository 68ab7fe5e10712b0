import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { startLoad, startLoggedPostgres } from "./support";

const CHECK_STATEMENT = "SELECT 1 /* slipway-health */";
const countChecks = (log: string) => log.split(CHECK_STATEMENT).length - 1;

/**
 * However hard /health/ready is polled, it costs at most one database round trip per cache
 * interval. Counted from PostgreSQL's side: the cluster logs every statement (log_statement=all).
 */
describe("readiness under heavy polling", () => {
  let cluster: Awaited<ReturnType<typeof startLoggedPostgres>>;
  let server: StandaloneServer;

  beforeAll(async () => {
    cluster = await startLoggedPostgres();
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: cluster.url, REDIS_URL: undefined, HEALTH_CACHE_MS: "1000" },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await cluster?.stop();
  });

  it("runs about one database check per second with 50 clients polling for 5 s", async () => {
    const before = countChecks(cluster.log());
    const startedAt = performance.now();
    const load = startLoad(server.url, ["/health/ready"], 50);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await load.stop();
    const seconds = (performance.now() - startedAt) / 1000;
    // Let the server's last statement reach the log.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const checks = countChecks(cluster.log()) - before;

    console.log(`[readiness] ${load.records.length} probes in ${seconds.toFixed(1)} s -> ${checks} database checks`);
    // Many probes, few checks: one per cache interval (plus the one in flight at either end).
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(load.records.length).toBeGreaterThanOrEqual(20 * checks);
  });
});
