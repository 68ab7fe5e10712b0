/**
 * npm run guides:verify [-- SCENARIO…] [--keep]: does what the guides in docs/guides/ say, for
 * real. Each scenario (a feature to add, a thing to remove) runs in its own scratch checkout of
 * HEAD (`git worktree add --detach` under the temp directory, this checkout's node_modules
 * hard-linked in): the guide's code blocks are written, its diffs applied as exact-text
 * replacements that fail when their text is not found, its commands run (the checks a fork would
 * run: typecheck, lint, tests), in order. scripts/guides.ts documents the annotations.
 *
 * Heavy (builds, integration tests): run it under the shared lock on a shared machine:
 *   flock /tmp/slipway-heavy.lock npm run guides:verify
 *   npm run guides:verify -- remove-fly              # one scenario
 *   npm run guides:verify -- --keep                  # keep the scratch checkout of a failed scenario
 * Prints the commit, the date and each scenario's result; exit code 1 when one failed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
import { freePort } from "./embedded-postgres";
import { applyFileOperation, diskTree, GUIDES, GuideError, parseGuide, type Scenario } from "./guides";

const log = (message: string) => console.log(`\x1b[1m[guides:verify]\x1b[0m ${message}`);

function git(args: string[], cwd = root): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** A checkout of `commit` outside this one, with this checkout's dependencies (hard links: no copy, no install). */
function scratchCheckout(name: string, commit: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `slipway-guide-${name}-`));
  // Readable by others: as root, the embedded PostgreSQL of the tests runs as the postgres user.
  chmodSync(dir, 0o755);
  git(["worktree", "add", "--detach", "--quiet", dir, commit]);
  const copy = spawnSync("cp", ["-al", path.join(root, "node_modules"), path.join(dir, "node_modules")]);
  if (copy.status !== 0) throw new Error(`cannot link node_modules into ${dir}: ${copy.stderr}`);
  // Caches are per checkout (drizzle-kit and test scratch space live there).
  rmSync(path.join(dir, "node_modules", ".cache"), { recursive: true, force: true });
  // The one file npm rewrites in place when a guide uninstalls a package: a copy, not a link, so
  // this checkout's stays as it is (npm only unlinks the rest).
  const hiddenLockfile = path.join(dir, "node_modules", ".package-lock.json");
  if (existsSync(hiddenLockfile)) {
    const content = readFileSync(hiddenLockfile);
    rmSync(hiddenLockfile);
    writeFileSync(hiddenLockfile, content);
  }
  return dir;
}

function removeCheckout(dir: string): void {
  spawnSync("git", ["worktree", "remove", "--force", dir], { cwd: root });
  rmSync(dir, { recursive: true, force: true });
  spawnSync("git", ["worktree", "prune"], { cwd: root });
}

/**
 * The commands run as a fork would run them: this environment, minus what ties them to this
 * checkout, and a free port for the smoke suite's local server (others may be using 3100).
 */
function commandEnv(smokePort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SMOKE_PORT: String(smokePort) };
  for (const key of Object.keys(env)) {
    if (key.startsWith("npm_") || key.startsWith("VITEST") || key === "INIT_CWD") delete env[key];
  }
  return env;
}

function runScenario(scenario: Scenario, options: { keep: boolean; smokePort: number; commit: string }): boolean {
  log(`scenario ${scenario.name} (${scenario.guide})`);
  const dir = scratchCheckout(scenario.name, options.commit);
  const tree = diskTree(dir);
  let passed = false;
  try {
    for (const step of scenario.steps) {
      log(`  ${step.title}`);
      for (const operation of step.operations) {
        const where = `${scenario.guide}:${operation.line}`;
        if (operation.kind !== "run") {
          try {
            if (applyFileOperation(tree, operation) === "skipped") {
              log(`    skipped (no ${"path" in operation ? operation.path : "file"} here): ${where}`);
            }
          } catch (error) {
            throw new GuideError(`${where}: ${(error as Error).message}`);
          }
          continue;
        }
        console.log(`\n$ ${operation.script.trim().split("\n").join("\n$ ")}`);
        const result = spawnSync("bash", ["-euo", "pipefail", "-c", operation.script], {
          cwd: dir,
          stdio: "inherit",
          env: commandEnv(options.smokePort),
        });
        if (result.status !== 0) {
          throw new GuideError(`${where}: {run=${operation.id}} exited ${result.status ?? result.signal}`);
        }
      }
    }
    passed = true;
  } catch (error) {
    console.error(`\n\x1b[31m[guides:verify] ${scenario.name} FAILED:\x1b[0m ${(error as Error).message}`);
  } finally {
    if (passed || !options.keep) removeCheckout(dir);
    else log(`kept the scratch checkout: ${dir} (git worktree remove --force ${dir})`);
  }
  return passed;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes("--keep");
  const wanted = args.filter((arg) => !arg.startsWith("--"));
  const scenarios = GUIDES.flatMap((guide) => parseGuide(path.join(root, guide)));
  const unknown = wanted.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  // Every scenario starts from this commit, even if HEAD moves during the run.
  const commit = git(["rev-parse", "--short", "HEAD"]);
  if (git(["status", "--porcelain"]) !== "") {
    log(`verifying HEAD ${commit}: uncommitted changes in this checkout are not part of it`);
  }
  const smokePort = await freePort();
  const results: { name: string; guide: string; passed: boolean; seconds: number }[] = [];
  for (const scenario of scenarios.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
    const started = Date.now();
    const passed = runScenario(scenario, { keep, smokePort, commit });
    results.push({
      name: scenario.name,
      guide: scenario.guide,
      passed,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }
  console.log(`\nguides:verify at ${commit} on ${new Date().toISOString().slice(0, 10)}:`);
  for (const result of results) {
    console.log(`  ${result.passed ? "passed" : "FAILED"}  ${result.name} (${result.guide}, ${result.seconds} s)`);
  }
  process.exit(results.every((result) => result.passed) ? 0 : 1);
}

await main();
