import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ruleGroups } from "../../support/monitoring-files";
import { startPrometheus, type PrometheusHandle } from "../../support/prometheus";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * The Prometheus harness the game day builds on: Debian's Prometheus loads the repository's rules
 * unchanged, scrapes a production standalone server with the bearer token, and reports an alert
 * going pending when the server stops.
 */

const METRICS_TOKEN = "prometheus-harness-token-0123456789";

let server: StandaloneServer;
let prometheus: PrometheusHandle;

describe.skipIf(missingRequirement("prometheus", "the Prometheus test harness"))("Prometheus harness", () => {
  beforeAll(async () => {
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: inject("databaseUrl"), METRICS_TOKEN },
    });
    prometheus = await startPrometheus({ targets: [`127.0.0.1:${server.port}`], metricsToken: METRICS_TOKEN });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await server?.stop();
  });

  it("loads every rule group of ops/prometheus/rules, all healthy", async () => {
    const expected = ruleGroups().map((group) => `${group.name}: ${group.rules.length}`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const groups = await prometheus.rules();
      const loaded = groups.map((group) => `${group.name}: ${group.rules.length}`);
      const unhealthy = groups.flatMap((group) =>
        group.rules.filter((rule) => rule.health === "err").map((rule) => `${rule.name}: ${rule.lastError}`),
      );
      expect(unhealthy).toEqual([]);
      if (groups.every((group) => group.rules.every((rule) => rule.health === "ok")) || Date.now() > deadline) {
        expect(loaded.sort()).toEqual(expected.sort());
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it("scrapes the app with the bearer token", async () => {
    for (let index = 0; index < 5; index++) await (await fetch(`${server.url}/robots.txt`)).text();
    const deadline = Date.now() + 15_000;
    let samples: Awaited<ReturnType<PrometheusHandle["query"]>> = [];
    while (Date.now() < deadline) {
      samples = await prometheus.query('http_requests_total{job="slipway", route="/robots.txt"}');
      if (samples.length > 0 && Number(samples[0]!.value[1]) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(Number(samples[0]?.value[1])).toBeGreaterThanOrEqual(5);
    const [target] = await prometheus.targets();
    expect(target).toMatchObject({ health: "up", lastError: "" });
    expect((await prometheus.query('up{job="slipway"}'))[0]?.value[1]).toBe("1");
  });

  it("records the rules' series from the scraped metrics", async () => {
    const deadline = Date.now() + 15_000;
    let samples: Awaited<ReturnType<PrometheusHandle["query"]>> = [];
    while (Date.now() < deadline && samples.length === 0) {
      samples = await prometheus.query("job:http_requests:rate5m");
      if (samples.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(samples).toEqual([
      expect.objectContaining({ metric: { __name__: "job:http_requests:rate5m", job: "slipway" } }),
    ]);
  });

  it("reports SlipwayInstanceDown pending once the server is gone, and no alert before", async () => {
    expect((await prometheus.alerts()).filter((alert) => alert.labels.alertname === "SlipwayInstanceDown")).toEqual([]);
    await server.stop();
    const { elapsedMs, alert } = await prometheus.waitForAlert("SlipwayInstanceDown", "pending", {
      labels: { instance: `127.0.0.1:${server.port}` },
      timeoutMs: 15_000,
    });
    expect(alert?.labels.severity).toBe("P1");
    expect(elapsedMs).toBeLessThan(15_000);
  });
});
