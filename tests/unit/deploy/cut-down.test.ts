import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exists, PLATFORM_FILES, type Platform } from "../../../scripts/deploy-files.mjs";

/**
 * A fork deletes the platform manifests it does not deploy with. The deploy checks
 * (tests/unit/deploy) must then pass on the rest and say what they skipped: this runs them, as a
 * separate vitest, on a scratch copy of the checkout without one platform's file
 * (SLIPWAY_DEPLOY_ROOT points scripts/deploy-files.mjs at the copy). About 5 s per platform.
 */

const repo = path.resolve(import.meta.dirname, "../../..");
/** The platforms this checkout configures (a fork may have deleted some already). */
const present = (Object.keys(PLATFORM_FILES) as Platform[]).filter((platform) => exists(PLATFORM_FILES[platform]));
const scratchDirs: string[] = [];

afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** The checkout as a fork has it: every file but build output, dependencies, local data and `without`. */
function scratchCopyWithout(without: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-cut-down-"));
  scratchDirs.push(dir);
  const left = /^(node_modules|\.next|\.git|\.data|dist|reports|test-results|coverage)(\/|$)/;
  cpSync(repo, dir, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(repo, source);
      return relative !== without && !left.test(relative);
    },
  });
  return dir;
}

interface Run {
  status: number | null;
  output: string;
  report: { numFailedTests: number; numPassedTests: number; testResults: TestFile[] };
}
interface TestFile {
  name: string;
  assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
}

/** `vitest run tests/unit/deploy` from this checkout's tooling, reading the deployment files of `root`. */
function runDeployChecks(root: string): Promise<Run> {
  const reportFile = path.join(root, "deploy-report.json");
  // The child is a run of its own: none of this worker's vitest variables.
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST"))),
    SLIPWAY_DEPLOY_ROOT: root,
    SLIPWAY_SKIP_LOG: path.join(root, "skips.jsonl"),
  };
  const child = spawn(
    process.execPath,
    [
      path.join(repo, "node_modules/vitest/vitest.mjs"),
      "run",
      "--project",
      "unit",
      "tests/unit/deploy",
      `--exclude=${path.relative(repo, import.meta.filename)}`,
      "--reporter=default",
      "--reporter=./tests/support/skip-summary-reporter.ts",
      "--reporter=json",
      `--outputFile.json=${reportFile}`,
    ],
    {
      cwd: repo,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      try {
        resolve({ status, output, report: JSON.parse(readFileSync(reportFile, "utf8")) });
      } catch (error) {
        reject(new Error(`no report from the deploy checks (exit ${status}):\n${output}`, { cause: error }));
      }
    });
  });
}

const statusOf = (run: Run, describeTitle: string) =>
  new Set(
    run.report.testResults.flatMap((file) =>
      file.assertionResults.filter((test) => test.ancestorTitles[0] === describeTitle).map((test) => test.status),
    ),
  );

/** The describe block of tests/unit/deploy holding each platform's own rules. */
const OWN_RULES: Record<Platform, string> = {
  fly: "fly.toml",
  railway: "railway.json",
  render: "render.yaml",
  compose: "production compose",
};

describe.skipIf(present.length === 0)("a checkout without a platform's manifest", () => {
  it.each(present)(
    "passes the deploy checks without %s's file, naming the skip",
    async (platform) => {
      const file = PLATFORM_FILES[platform];
      const run = await runDeployChecks(scratchCopyWithout(file));

      expect(run.status, run.output).toBe(0);
      expect(run.report.numFailedTests).toBe(0);
      // The absent platform's rules skip; the others still run (and pass).
      expect(statusOf(run, OWN_RULES[platform])).toEqual(new Set(["skipped"]));
      for (const other of present.filter((candidate) => candidate !== platform)) {
        expect(statusOf(run, OWN_RULES[other]), other).toEqual(new Set(["passed"]));
      }
      expect(statusOf(run, "migrator")).toContain("passed");
      // Loud: a line when the file is collected, and the end-of-run summary.
      expect(run.output).toContain(`${file} is absent: the ${platform} checks are skipped`);
      expect(run.output).toContain("Skipped because a deployment file is absent");
    },
    180_000,
  );
});
