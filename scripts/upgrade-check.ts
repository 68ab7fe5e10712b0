/**
 * `npm run upgrade:check`: would the newest Next, React, Sentry and Clerk work here? In a scratch
 * copy of the tracked files, installs the newest published next, react, react-dom, @sentry/nextjs
 * and @clerk/nextjs (with eslint-config-next and @next/env in step), then runs the type check, the
 * production build, the tests that pin each framework contract (docs/framework-contracts.md) and the
 * integration suite, and names every contract whose test failed. Exit 0 when all pass.
 *
 *   npm run upgrade:check                  # newest versions
 *   npm run upgrade:check -- --keep        # keep the scratch copy to investigate (its path is printed)
 *   npm run upgrade:check -- --only-contracts   # skip the rest of the integration suite
 *
 * .github/workflows/upgrade-check.yml runs it weekly.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { readFrameworkContracts } from "./framework-contracts";

const root = path.resolve(import.meta.dirname, "..");
const PACKAGES = ["next", "react", "react-dom", "@sentry/nextjs", "@clerk/nextjs", "eslint-config-next", "@next/env"];

const { values: flags } = parseArgs({
  options: { keep: { type: "boolean", default: false }, "only-contracts": { type: "boolean", default: false } },
});

function run(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  return result.status ?? 1;
}

function versionsIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    PACKAGES.map((name) => {
      const file = path.join(dir, "node_modules", name, "package.json");
      return [name, existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "-"];
    }),
  );
}

/** A copy of what git tracks (and untracked files it does not ignore): never build output or node_modules. */
function scratchCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-upgrade-"));
  // Readable by others: as root, the tests' embedded PostgreSQL runs its binaries as the postgres user.
  chmodSync(dir, 0o755);
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(path.join(root, file))) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(dir, file));
  }
  return dir;
}

/** Test files that failed in a vitest JSON report. */
function failedFiles(report: string, dir: string): string[] {
  if (!existsSync(report)) return [];
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    testResults: { name: string; status: string }[];
  };
  return json.testResults
    .filter((result) => result.status !== "passed")
    .map((result) => path.relative(dir, result.name));
}

function main(): number {
  const dir = scratchCopy();
  console.log(`Scratch copy: ${dir}`);
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CI: process.env.CI ?? "" };
  try {
    if (run("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, env }) !== 0) return 1;
    const before = versionsIn(dir);
    const latest = PACKAGES.map((name) => `${name}@latest`);
    if (run("npm", ["install", "--no-audit", "--no-fund", ...latest], { cwd: dir, env }) !== 0) return 1;
    const after = versionsIn(dir);
    console.log("\nVersions (locked → newest):");
    for (const name of PACKAGES) console.log(`  ${name}: ${before[name]} → ${after[name]}`);

    const steps: { name: string; status: number }[] = [];
    steps.push({ name: "typecheck", status: run("npx", ["tsc", "--noEmit"], { cwd: dir, env }) });
    steps.push({ name: "production build", status: run("npm", ["run", "build"], { cwd: dir, env }) });
    const contractList = readFrameworkContracts(root);
    const contractTests = [...new Set(contractList.flatMap((contract) => contract.tests))];
    const report = path.join(dir, "upgrade-check-report.json");
    const suite = flags["only-contracts"] ? contractTests : ["tests/unit", "tests/integration"];
    steps.push({
      name: flags["only-contracts"] ? "contract tests" : "contract tests, unit and integration suites",
      status: run(
        "npx",
        ["vitest", "run", ...suite, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
        {
          cwd: dir,
          env: { ...env, SLIPWAY_SKIP_BUILD: "1" },
        },
      ),
    });

    const failed = failedFiles(report, dir);
    const broken = contractList.filter((contract) => contract.tests.some((test) => failed.includes(test)));
    console.log("\n=== upgrade check ===");
    for (const name of PACKAGES) console.log(`${name} ${after[name]}`);
    for (const step of steps) console.log(`${step.status === 0 ? "ok    " : "FAILED"} ${step.name}`);
    for (const contract of broken) {
      console.log(
        `BROKEN contract ${contract.number}: ${contract.name} (${contract.tests.filter((test) => failed.includes(test)).join(", ")})`,
      );
    }
    const others = failed.filter((file) => !contractTests.includes(file));
    if (others.length) console.log(`Other failing tests: ${others.join(", ")}`);
    return steps.every((step) => step.status === 0) ? 0 : 1;
  } finally {
    if (flags.keep) console.log(`Kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(main());
