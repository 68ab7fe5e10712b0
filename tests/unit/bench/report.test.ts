import { describe, expect, it } from "vitest";
import { parseWrkOutput, type LoadResult } from "../../../bench/lib/load";
import { summarizeRss } from "../../../bench/lib/memory";
import {
  checkTargets,
  compare,
  markdownTable,
  median,
  type BenchResults,
  type Measured,
} from "../../../bench/lib/report";

function measured(requestsPerSecond: number, statementsPerRequest?: number): Measured {
  const result: LoadResult = {
    requests: requestsPerSecond * 6,
    seconds: 6,
    requestsPerSecond,
    latencyMs: { p50: 1000 / requestsPerSecond, p90: 0, p99: 2000 / requestsPerSecond, max: 0, mean: 0 },
    errors: 0,
    non2xx3xx: 0,
  };
  return { ...result, method: "GET", path: "/", statementsPerRequest };
}

const resultOf = (name: string, checks: ReturnType<typeof checkTargets>) => checks.find((check) => check.name === name);

describe("the bench's targets (issue 10)", () => {
  it("passes the liveness ratio at 0.9× the bare JSON route and misses it below", () => {
    const at = checkTargets({ comparisons: [compare("liveness", "live", measured(900), measured(1000))] });
    const below = checkTargets({ comparisons: [compare("liveness", "live", measured(850), measured(1000))] });
    expect(resultOf("liveness throughput", at)).toMatchObject({ pass: true, measured: "0.9×" });
    expect(resultOf("liveness throughput", below)?.pass).toBe(false);
  });

  it("holds another tenant's p50 during a flood to 2× its p50 alone, and shows the flood's refusals", () => {
    const neighbour = (idleP50Ms: number, floodP50Ms: number): BenchResults => ({
      comparisons: [],
      neighbour: {
        idleP50Ms,
        floodP50Ms,
        ratio: floodP50Ms / idleP50Ms,
        flood: { requests: 9000, requestsPerSecond: 1800, refused: 8400 },
      },
    });
    const name = "another tenant's p50 during a flood";
    expect(resultOf(name, checkTargets(neighbour(4, 8)))).toMatchObject({ pass: true, measured: "2×" });
    expect(resultOf(name, checkTargets(neighbour(4, 9)))?.pass).toBe(false);
    expect(markdownTable(neighbour(4, 8), [])).toContain(
      "9,000 requests, 8,400 refused 429), alone → during | 4 → 8 ms",
    );
  });

  it("checks the projects page against 3× the recorded 47 req/s, not against the bare page", () => {
    const checks = checkTargets({ comparisons: [compare("projects-page", "page", measured(150), measured(1500))] });
    expect(resultOf("projects page throughput", checks)).toMatchObject({ pass: true });
    const slow = checkTargets({ comparisons: [compare("projects-page", "page", measured(120), measured(130))] });
    expect(resultOf("projects page throughput", slow)?.pass).toBe(false);
  });

  it("allows at most 5 statements per API request", () => {
    const checks = checkTargets({
      comparisons: [
        compare("list-api", "list", measured(500, 4), measured(800, 1)),
        compare("write", "write", measured(200, 6), measured(400, 1)),
      ],
    });
    expect(resultOf("SQL statements per API request (list-api)", checks)?.pass).toBe(true);
    expect(resultOf("SQL statements per API request (write)", checks)?.pass).toBe(false);
  });

  it("checks cold start and memory when they were measured, and only then", () => {
    expect(checkTargets({ comparisons: [] })).toEqual([]);
    const rss = { ...summarizeRss([200, 200, 200, 200, 230, 230, 230, 230]), requestsPerSecond: 100 };
    const results: BenchResults = {
      comparisons: [],
      coldStart: { slipwayMs: [1400], bareMs: [1000], slipwayMedianMs: 1400, bareMedianMs: 1000, ratio: 1.4 },
      memory: { requests: 20_000, paths: { slipway: [], bare: [] }, slipway: rss, bare: rss, ratio: 1 },
    };
    const checks = checkTargets(results);
    expect(resultOf("cold start", checks)?.pass).toBe(true);
    expect(resultOf("RSS, maximum", checks)?.pass).toBe(true);
    expect(resultOf("RSS growth, first → last quarter", checks)).toMatchObject({ pass: false, measured: "15 %" });
  });

  it("misses both memory targets when the server died during the run, and says so in the table", () => {
    const rss = { ...summarizeRss([150, 160, 170, 180]), requestsPerSecond: 90 };
    const died = { ...rss, failed: "slipway exited (134) during the run:\nFATAL ERROR: heap limit" };
    const results: BenchResults = {
      comparisons: [],
      memory: { requests: 20_000, paths: { slipway: [], bare: [] }, slipway: died, bare: rss, ratio: 1 },
    };
    const checks = checkTargets(results);
    expect(resultOf("RSS, maximum", checks)).toMatchObject({
      pass: false,
      measured: "180 MB before the run failed: slipway exited (134) during the run:",
    });
    expect(resultOf("RSS growth, first → last quarter", checks)?.pass).toBe(false);
    expect(markdownTable(results, checks)).toContain("**failed**: slipway exited (134) during the run:");
  });

  it("prints a row per comparison and one per target", () => {
    const results: BenchResults = { comparisons: [compare("landing", "`GET /`", measured(800), measured(1000))] };
    const table = markdownTable(results, checkTargets(results));
    expect(table).toContain("| `GET /` | 800 req/s | 1,000 req/s | 0.8 |");
    expect(table).toContain("| landing page throughput | ≥ 0.8× bare | 0.8× | pass |");
  });
});

describe("bench arithmetic", () => {
  it("summarizes RSS as the first and last quarter's means and the maximum", () => {
    expect(summarizeRss([100, 110, 120, 130, 140, 150, 160, 170])).toMatchObject({
      firstQuarterMb: 105,
      lastQuarterMb: 165,
      maxMb: 170,
      growth: 0.571,
    });
  });

  it("takes the median of an even and an odd count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("reads wrk's result line", () => {
    const output =
      "Running 6s test @ http://127.0.0.1:3000/\n" +
      'BENCH_RESULT {"requests":6000,"durationUs":6000000,"bytes":1,"connectErrors":0,"readErrors":1,' +
      '"writeErrors":0,"timeouts":2,"non2xx3xx":3,"latencyUs":{"p50":1500,"p90":3000,"p99":9000,"max":12000,"mean":1700.5}}\n';
    expect(parseWrkOutput(output)).toEqual({
      requests: 6000,
      seconds: 6,
      requestsPerSecond: 1000,
      latencyMs: { p50: 1.5, p90: 3, p99: 9, max: 12, mean: 1.7 },
      errors: 3,
      non2xx3xx: 3,
    });
  });
});
