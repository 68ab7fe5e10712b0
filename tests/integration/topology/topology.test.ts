import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBalancer } from "../../support/balancer";
import { healthStep, readStep, startLoad } from "../../support/load";
import { missingRequirement } from "../../support/requirements";
import { startTopology, type Topology } from "../../support/topology";

const skip = missingRequirement("caddy", "the multi-process harness (Caddy in front of instances)");
const skipRedis = missingRequirement("redis-server", "the multi-process harness");

/** Which process answered: every instance reports its own start time in /api/health. */
async function answeringProcess(url: string): Promise<string> {
  const response = await fetch(`${url}/api/health`);
  const body = (await response.json()) as { startedAt: string };
  return body.startedAt;
}

/**
 * The harness itself (tests/support/topology.ts): real PostgreSQL, Redis, three production instances
 * and Caddy from ops/caddy/Caddyfile. Also proves the Caddyfile's edge rules the compose stack relies on.
 */
describe.skipIf(skip || skipRedis)("multi-process topology behind Caddy", () => {
  let topology: Topology;

  beforeAll(async () => {
    topology = await startTopology({ instances: ["a", "b", "c"] });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  });

  it("spreads requests over all three instances", async () => {
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 12; attempt++) seen.add(await answeringProcess(topology.url));
    const direct = await Promise.all(
      [...topology.instances.values()].map((instance) => answeringProcess(instance.url)),
    );
    expect(new Set(direct).size).toBe(3);
    expect([...seen].sort()).toEqual([...direct].sort());
  });

  it("replaces client-supplied forwarding headers and refuses oversized bodies with a JSON 413", async () => {
    const response = await fetch(`${topology.url}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(1_100_000) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(response.headers.get("server")).toBeNull();
  });

  it("takes an instance killed with SIGKILL out of rotation within a health-check interval, losing no request", async () => {
    const victim = topology.instances.get("c")!;
    const load = startLoad({
      baseUrl: topology.url,
      ratePerSecond: 40,
      durationMs: 20_000,
      steps: [healthStep(), readStep("/health/live"), readStep("/")],
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    load.mark("after kill");
    const killedAt = Date.now();
    await topology.stopInstance("c", "SIGKILL");
    // Caddy logs each failed active check of the host; the first one marks it down.
    let detectedAt: number | undefined;
    while (!detectedAt && Date.now() - killedAt < 10_000) {
      const failedChecks = topology.balancer.logs
        .filter((entry) => entry.includes("health_checker.active") && entry.includes(victim.hostPort))
        .map((entry) => Math.round((JSON.parse(entry) as { ts: number }).ts * 1000))
        .filter((at) => at >= killedAt);
      if (failedChecks.length > 0) detectedAt = failedChecks[0];
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const report = await load.stop();
    console.log(
      `[topology] ${report.requests} requests, ${report.failures.length} failed; ` +
        `SIGKILL seen by the health checker after ${detectedAt ? detectedAt - killedAt : "never"} ms; p99 ${report.latencyMs.p99} ms`,
    );
    expect(detectedAt, "the active health check reported the killed instance").toBeDefined();
    // Checks every second (ops/caddy/Caddyfile); a killed instance refuses the connection at once.
    expect(detectedAt! - killedAt).toBeLessThanOrEqual(3000);
    expect(report.failures).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
    const survivors = await Promise.all(
      [...topology.instances.values()].map((instance) => answeringProcess(instance.url)),
    );
    const after = new Set<string>();
    for (let attempt = 0; attempt < 8; attempt++) after.add(await answeringProcess(topology.url));
    expect([...after].every((process) => survivors.includes(process))).toBe(true);
  });
});

describe.skipIf(skip)("ops/caddy/Caddyfile", () => {
  it("streams a response as the upstream writes it, without buffering", async () => {
    // The upstream holds the rest of its response until the client has the first chunk (or 5 s).
    let firstReceived: () => void = () => {};
    const received = new Promise<void>((resolve) => (firstReceived = resolve));
    let restSent = false;
    const upstream = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("first\n");
      void Promise.race([received, new Promise((resolve) => setTimeout(resolve, 5000))]).then(() => {
        restSent = true;
        response.end("rest\n");
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const balancer = await startBalancer([`127.0.0.1:${(upstream.address() as AddressInfo).port}`]);
    try {
      const response = await fetch(`${balancer.url}/stream`);
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe("first\n");
      expect(restSent, "the first chunk arrived before the upstream finished").toBe(false);
      firstReceived();
      while (!(await reader.read()).done);
    } finally {
      await balancer.stop();
      upstream.close();
    }
  });
});
