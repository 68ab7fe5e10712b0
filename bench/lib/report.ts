import type { LoadResult } from "./load";
import type { RssSummary } from "./memory";

/**
 * What a bench run found, the targets of issue 10 checked against it, and the markdown table.
 * Every figure is read as a ratio to the bare Next.js app measured in the same run: absolute
 * numbers on a shared 2-core machine move with whatever else runs; ratios move far less.
 */

export interface Measured extends LoadResult {
  method: string;
  path: string;
  /** SQL statements PostgreSQL logged per request (a separate, sequential run). */
  statementsPerRequest?: number;
}

export interface Comparison {
  id: string;
  title: string;
  slipway: Measured;
  bare: Measured;
  /** Slipway / bare: throughput (higher is better), latencies (lower is better). */
  ratio: { throughput: number; p50: number; p99: number };
}

export interface ColdStart {
  slipwayMs: number[];
  bareMs: number[];
  slipwayMedianMs: number;
  bareMedianMs: number;
  ratio: number;
}

/** One app's memory run: RSS over the run, or until it failed. */
export type MemoryRun = RssSummary & {
  requestsPerSecond: number;
  /** Why the run did not complete: the server exited (out of heap…) or over 1 % of requests failed. */
  failed?: string;
};

export interface Memory {
  requests: number;
  paths: { slipway: string[]; bare: string[] };
  slipway: MemoryRun;
  bare: MemoryRun;
  /** Slipway's maximum RSS / bare's. */
  ratio: number;
}

/** One tenant floods the list API (default limits) while another reads it at a person's pace. */
export interface Neighbour {
  /** The quiet tenant's p50 alone, and during the flood. */
  idleP50Ms: number;
  floodP50Ms: number;
  /** floodP50Ms / idleP50Ms. */
  ratio: number;
  /** The flooding tenant's load: what it sent and how much of it was refused (429). */
  flood: { requests: number; requestsPerSecond: number; refused: number };
}

export interface BenchResults {
  comparisons: Comparison[];
  coldStart?: ColdStart;
  memory?: Memory;
  neighbour?: Neighbour;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** Issue 10's "today" figure for the signed-in projects page, before the hot path was reworked. */
const RECORDED_PROJECTS_PAGE_RPS = 47;

const TARGETS = {
  livenessRatio: 0.9,
  listApiRatio: 0.6,
  landingRatio: 0.8,
  projectsPageTimesRecorded: 3,
  coldStartRatio: 1.5,
  statementsPerApiRequest: 5,
  rssMaxMb: 256,
  rssGrowth: 0.1,
  neighbourP50Ratio: 2,
} as const;

const firstLine = (text: string) => text.split("\n")[0]!;

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function compare(id: string, title: string, slipway: Measured, bare: Measured): Comparison {
  return {
    id,
    title,
    slipway,
    bare,
    ratio: {
      throughput: round(slipway.requestsPerSecond / bare.requestsPerSecond),
      p50: round(slipway.latencyMs.p50 / bare.latencyMs.p50),
      p99: round(slipway.latencyMs.p99 / bare.latencyMs.p99),
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Pure: issue 10's targets, for whatever this run measured (a subset run checks a subset). */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const byId = new Map(results.comparisons.map((comparison) => [comparison.id, comparison]));
  const ratioAtLeast = (id: string, name: string, minimum: number) => {
    const comparison = byId.get(id);
    if (!comparison) return;
    checks.push({
      name,
      target: `≥ ${minimum}× bare`,
      measured: `${comparison.ratio.throughput}×`,
      pass: comparison.ratio.throughput >= minimum,
    });
  };
  ratioAtLeast("liveness", "liveness throughput", TARGETS.livenessRatio);
  ratioAtLeast("list-api", "tenant list API throughput", TARGETS.listApiRatio);
  ratioAtLeast("landing", "landing page throughput", TARGETS.landingRatio);

  const page = byId.get("projects-page");
  if (page) {
    const minimum = TARGETS.projectsPageTimesRecorded * RECORDED_PROJECTS_PAGE_RPS;
    checks.push({
      name: "projects page throughput",
      target: `≥ ${TARGETS.projectsPageTimesRecorded}× the recorded ${RECORDED_PROJECTS_PAGE_RPS} req/s (${minimum} req/s)`,
      measured: `${page.slipway.requestsPerSecond} req/s (${round(page.slipway.requestsPerSecond / RECORDED_PROJECTS_PAGE_RPS, 1)}×)`,
      pass: page.slipway.requestsPerSecond >= minimum,
    });
  }

  for (const id of ["list-api", "write"]) {
    const statements = byId.get(id)?.slipway.statementsPerRequest;
    if (statements === undefined) continue;
    checks.push({
      name: `SQL statements per API request (${id})`,
      target: `≤ ${TARGETS.statementsPerApiRequest}`,
      measured: String(statements),
      pass: statements <= TARGETS.statementsPerApiRequest,
    });
  }

  if (results.coldStart) {
    checks.push({
      name: "cold start",
      target: `≤ ${TARGETS.coldStartRatio}× bare`,
      measured: `${results.coldStart.ratio}×`,
      pass: results.coldStart.ratio <= TARGETS.coldStartRatio,
    });
  }

  if (results.memory) {
    const { slipway } = results.memory;
    checks.push({
      name: "RSS, maximum",
      target: `< ${TARGETS.rssMaxMb} MB`,
      measured: `${slipway.maxMb} MB${slipway.failed ? ` before the run failed: ${firstLine(slipway.failed)}` : ""}`,
      pass: !slipway.failed && slipway.maxMb < TARGETS.rssMaxMb,
    });
    checks.push({
      name: "RSS growth, first → last quarter",
      target: `< ${TARGETS.rssGrowth * 100} %`,
      measured: `${round(slipway.growth * 100, 1)} %`,
      pass: !slipway.failed && slipway.growth < TARGETS.rssGrowth,
    });
  }
  if (results.neighbour) {
    checks.push({
      name: "another tenant's p50 during a flood",
      target: `≤ ${TARGETS.neighbourP50Ratio}× its p50 alone`,
      measured: `${results.neighbour.ratio}×`,
      pass: results.neighbour.ratio <= TARGETS.neighbourP50Ratio,
    });
  }
  return checks;
}

const rps = (measured: Measured) => `${Math.round(measured.requestsPerSecond).toLocaleString("en-US")} req/s`;
const pair = (a: number | undefined, b: number | undefined) => `${a ?? "–"} / ${b ?? "–"}`;

/** Pure: the markdown table (docs/performance.md carries a copy of a real run's). */
export function markdownTable(results: BenchResults, checks: TargetCheck[]): string {
  const lines = [
    "| work | Slipway | bare Next | ratio | p50 ms (Slipway / bare) | p99 ms (Slipway / bare) | SQL per request (Slipway / bare) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const comparison of results.comparisons) {
    const { slipway, bare } = comparison;
    lines.push(
      `| ${comparison.title} | ${rps(slipway)} | ${rps(bare)} | ${comparison.ratio.throughput} | ` +
        `${pair(slipway.latencyMs.p50, bare.latencyMs.p50)} | ${pair(slipway.latencyMs.p99, bare.latencyMs.p99)} | ` +
        `${pair(slipway.statementsPerRequest, bare.statementsPerRequest)} |`,
    );
  }
  if (results.coldStart) {
    const { coldStart } = results;
    lines.push(
      `| cold start: spawn → first 200 on \`/health/ready\` (bare: its ready route), median of ${coldStart.slipwayMs.length} | ` +
        `${Math.round(coldStart.slipwayMedianMs)} ms | ${Math.round(coldStart.bareMedianMs)} ms | ${coldStart.ratio} | | | |`,
    );
  }
  if (results.memory) {
    const { memory } = results;
    const rss = (run: MemoryRun) =>
      `${run.firstQuarterMb} → ${run.lastQuarterMb} MB (max ${run.maxMb})` +
      (run.failed ? `, **failed**: ${firstLine(run.failed)}` : "");
    lines.push(
      `| RSS over ${memory.requests.toLocaleString("en-US")} requests, first → last quarter | ${rss(memory.slipway)} | ` +
        `${rss(memory.bare)} | ${memory.ratio} (max) | | | |`,
    );
  }
  if (results.neighbour) {
    const { neighbour } = results;
    lines.push(
      `| another tenant's list API p50 while one floods it (${neighbour.flood.requests.toLocaleString("en-US")} requests, ` +
        `${neighbour.flood.refused.toLocaleString("en-US")} refused 429), alone → during | ` +
        `${neighbour.idleP50Ms} → ${neighbour.floodP50Ms} ms | | ${neighbour.ratio} | | | |`,
    );
  }
  lines.push("", "| target | wanted | measured | |", "|---|---|---|---|");
  for (const check of checks) {
    lines.push(`| ${check.name} | ${check.target} | ${check.measured} | ${check.pass ? "pass" : "**MISS**"} |`);
  }
  return lines.join("\n");
}
