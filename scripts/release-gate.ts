/**
 * The release health gate: the one check the deploy workflow (.github/workflows/deploy.yml), the
 * compose blue-green script's operator, the runbooks and the release rehearsal all run before a
 * release counts as deployed.
 *
 *   npx tsx scripts/release-gate.ts --url https://staging.example.com --commit "$GITHUB_SHA" [--smoke]
 *
 * 1. Polls until GET /api/health answers 200 naming `--commit` and GET /health/ready answers 200,
 *    `--consecutive` times in a row (default 3, so a half-rolled-out platform does not pass early),
 *    within `--timeout` seconds (default 300).
 * 2. With --smoke, runs the read-only smoke suite (Playwright, tests/smoke) against the URL.
 *
 * Prints one line per stage and a final JSON summary; exit 0 when every stage passed, 1 otherwise.
 * Needs no secret: it only reads public endpoints.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";

export interface GateOptions {
  url: string;
  commit: string;
  timeoutSeconds?: number;
  consecutive?: number;
  intervalMs?: number;
  smoke?: boolean;
  /** Let the smoke suite create, rename and delete a project (throwaway databases only; never from the CLI). */
  smokeWrites?: boolean;
  /** Where the smoke suite's output goes (default: this process's). */
  log?: (line: string) => void;
}

export interface GateResult {
  ok: boolean;
  url: string;
  commit: string;
  /** Seconds until the health checks held, or until the gate gave up. */
  healthSeconds: number;
  smokeSeconds: number | null;
  /** Why it failed: the last thing seen. */
  reason?: string;
}

const root = path.resolve(import.meta.dirname, "..");

/** One poll: both endpoints, the reason when not yet good. */
async function probe(url: string, commit: string): Promise<string | undefined> {
  try {
    const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000), cache: "no-store" });
    const body = (await health.json().catch(() => null)) as { commit?: string | null; status?: string } | null;
    if (health.status !== 200) return `/api/health answered ${health.status} (${body?.status ?? "no JSON"})`;
    if (body?.commit !== commit) return `/api/health reports commit ${body?.commit ?? "(none)"}, expected ${commit}`;
    const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000), cache: "no-store" });
    const readyBody = await ready.text();
    if (ready.status !== 200) return `/health/ready answered ${ready.status} ${readyBody}`;
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return `no answer (${cause ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

function runSmoke(url: string, writes: boolean, log: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, BASE_URL: url };
    // Read-only against a real deployment, whatever the caller's environment says.
    delete env.SMOKE_ALLOW_WRITES;
    if (writes) env.SMOKE_ALLOW_WRITES = "true";
    const child = spawn("npx", ["--no-install", "playwright", "test", "--reporter=line", "--max-failures=1"], {
      cwd: root,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (chunk: Buffer) => chunk.toString().split("\n").filter(Boolean).forEach(log);
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });
}

export async function runGate(options: GateOptions): Promise<GateResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const url = options.url.replace(/\/$/, "");
  const deadline = performance.now() + (options.timeoutSeconds ?? 300) * 1000;
  const needed = options.consecutive ?? 3;
  const started = performance.now();
  const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
  let streak = 0;
  let reason: string | undefined = "not checked yet";
  log(`gate: waiting for ${url} to report commit ${options.commit} and be ready (${needed} checks in a row)`);
  while (performance.now() < deadline) {
    reason = await probe(url, options.commit);
    streak = reason ? 0 : streak + 1;
    if (streak >= needed) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
  const healthSeconds = seconds(started);
  if (streak < needed) {
    log(`gate: FAILED after ${healthSeconds}s: ${reason}`);
    return { ok: false, url, commit: options.commit, healthSeconds, smokeSeconds: null, reason };
  }
  log(`gate: ${url} serves ${options.commit} and is ready (${healthSeconds}s)`);
  if (!options.smoke) return { ok: true, url, commit: options.commit, healthSeconds, smokeSeconds: null };

  const smokeStarted = performance.now();
  log(`gate: running the read-only smoke suite against ${url}`);
  const passed = await runSmoke(url, options.smokeWrites ?? false, log);
  const smokeSeconds = seconds(smokeStarted);
  log(
    passed ? `gate: smoke suite passed (${smokeSeconds}s)` : `gate: FAILED: the smoke suite failed (${smokeSeconds}s)`,
  );
  return {
    ok: passed,
    url,
    commit: options.commit,
    healthSeconds,
    smokeSeconds,
    ...(passed ? {} : { reason: "the smoke suite failed" }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      commit: { type: "string" },
      timeout: { type: "string", default: "300" },
      consecutive: { type: "string", default: "3" },
      smoke: { type: "boolean", default: false },
    },
  });
  const timeoutSeconds = Number(values.timeout);
  const consecutive = Number(values.consecutive);
  const problems = [
    !values.url || !/^https?:\/\/[^/]+/.test(values.url) ? "--url must be an http(s) URL" : "",
    !values.commit ? "--commit is required (the release identifier /api/health reports)" : "",
    !(timeoutSeconds > 0) ? "--timeout must be a positive number of seconds" : "",
    !(Number.isInteger(consecutive) && consecutive >= 1) ? "--consecutive must be a positive integer" : "",
  ].filter(Boolean);
  if (problems.length > 0) {
    console.error(`release-gate: ${problems.join("; ")}`);
    process.exit(2);
  }
  const result = await runGate({
    url: values.url!,
    commit: values.commit!,
    timeoutSeconds,
    consecutive,
    smoke: values.smoke,
  });
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await main();
}
