import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Drives a server with wrk (Debian's package): C, event-driven, two threads, so the load generator
 * takes as little of this 2-core machine as possible from the servers it measures (autocannon
 * would run on Node and compete with them for the same cores). 127.0.0.1 only, bounded durations.
 */

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  /** Requests rotate through these paths. */
  paths: string[];
  headers?: Record<string, string>;
  seconds: number;
  threads?: number;
  connections?: number;
  /** Stop after this many responses (the duration still bounds the run). */
  requests?: number;
  /** Prefix of the unique project names POST bodies carry. */
  namePrefix?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Socket errors and timeouts. */
  errors: number;
  /** Answers outside 2xx/3xx. */
  non2xx3xx: number;
}

const SCRIPT = readFileSync(path.join(import.meta.dirname, "wrk.lua"), "utf8");
const BOUNDED = `
function response()
  answered = answered + 1
  if answered >= limit then
    wrk.thread:stop()
  end
end
`;

export function assertWrkInstalled(): void {
  const probe = spawnSync("wrk", ["--version"], { stdio: "ignore" });
  if (probe.error) throw new Error("npm run bench needs wrk: apt-get install wrk");
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  non2xx3xx: number;
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Reads the BENCH_RESULT line wrk.lua's done() prints. Pure. */
export function parseWrkOutput(output: string): LoadResult {
  const line = /^BENCH_RESULT (\{.*\})$/m.exec(output)?.[1];
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const summary = JSON.parse(line) as WrkSummary;
  const seconds = summary.durationUs / 1e6;
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    requests: summary.requests,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((summary.requests / seconds) * 10) / 10,
    latencyMs: {
      p50: ms(summary.latencyUs.p50),
      p90: ms(summary.latencyUs.p90),
      p99: ms(summary.latencyUs.p99),
      max: ms(summary.latencyUs.max),
      mean: ms(summary.latencyUs.mean),
    },
    errors: summary.connectErrors + summary.readErrors + summary.writeErrors + summary.timeouts,
    non2xx3xx: summary.non2xx3xx,
  };
}

export async function runLoad(spec: LoadSpec, scriptDir: string): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`the bench only loads 127.0.0.1, not ${url.hostname}`);
  const script = path.join(scriptDir, spec.requests ? "wrk-bounded.lua" : "wrk.lua");
  writeFileSync(script, spec.requests ? SCRIPT + BOUNDED : SCRIPT);
  const threads = spec.threads ?? 2;
  const perThread = spec.requests ? Math.ceil(spec.requests / threads) : 0;
  const args = [
    `-t${threads}`,
    `-c${spec.connections ?? 50}`,
    `-d${spec.seconds}s`,
    "--timeout",
    "10s",
    ...Object.entries(spec.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
    "-s",
    script,
    spec.url,
    "--",
    spec.method,
    spec.paths.join(","),
    String(perThread),
    spec.namePrefix ?? "bench",
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`))));
  });
  return parseWrkOutput(output);
}

/**
 * Pure: one result from several rounds of the same load (the bench alternates the two apps round
 * by round, so a burst of other work on the machine hits both). Throughput over all rounds;
 * latencies are the median round's.
 */
export function combineRounds(rounds: LoadResult[]): LoadResult {
  if (rounds.length === 0) throw new Error("no rounds to combine");
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  const middle = (pick: (round: LoadResult) => number) => {
    const sorted = rounds.map(pick).sort((a, b) => a - b);
    const half = Math.floor(sorted.length / 2);
    const value = sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
    return Math.round(value * 100) / 100;
  };
  return {
    requests,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((requests / seconds) * 10) / 10,
    latencyMs: {
      p50: middle((round) => round.latencyMs.p50),
      p90: middle((round) => round.latencyMs.p90),
      p99: middle((round) => round.latencyMs.p99),
      max: Math.max(...rounds.map((round) => round.latencyMs.max)),
      mean: middle((round) => round.latencyMs.mean),
    },
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    non2xx3xx: rounds.reduce((sum, round) => sum + round.non2xx3xx, 0),
  };
}
