import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exists, PLATFORM_FILES, TARGET_FILES, type Platform } from "../../../scripts/deploy-files.mjs";
import type { CutDownResult } from "../../support/cut-down-reporter";

/**
 * A fork keeps the deployment targets it uses and deletes the others' files. The deploy checks
 * (tests/unit/deploy) must then pass on what is left and say what they skipped, for every subset of
 * the targets this checkout has, down to none at all. This runs them once, as one separate vitest
 * with one project per subset, each on a scratch copy of the checkout without the other targets'
 * files (SLIPWAY_DEPLOY_ROOT points scripts/deploy-files.mjs at it).
 *
 * The copies hold the files git tracks (and new ones it does not ignore): never build output,
 * dependencies or local data. Only the test files that read the targets' files run (those that
 * load them through ./rules or skip through ./absent; the others, workflows-only checks such as
 * actionlint, give the same answer in every subset, and the normal run has them). A target's
 * stand-in pipeline test (<target>-pipeline.test.ts) runs in the subsets without that target,
 * where it must skip; with its target it depends on no other target's files.
 */

const repo = path.resolve(import.meta.dirname, "../../..");
const THIS_FILE = path.relative(repo, import.meta.filename);
/** The targets this checkout configures (a fork may have deleted some already). */
const present = (Object.keys(PLATFORM_FILES) as Platform[]).filter((platform) => exists(PLATFORM_FILES[platform]));
/** Every subset of them but the whole (the normal run covers that), smallest first. */
const subsets: Platform[][] = Array.from({ length: 2 ** present.length - 1 }, (_, mask) =>
  present.filter((_platform, index) => mask & (1 << index)),
).sort((a, b) => a.length - b.length);
const nameOf = (kept: Platform[]) => (kept.length ? `keeps ${kept.join(", ")}` : "keeps no target");

/** The describe block of tests/unit/deploy holding each target's own rules. */
const OWN_RULES: Record<Platform, string> = {
  fly: "fly.toml",
  railway: "railway.json",
  render: "render.yaml",
  compose: "production compose",
};
const PIPELINE_TESTS: Partial<Record<Platform, string>> = {
  fly: "tests/unit/deploy/fly-pipeline.test.ts",
  railway: "tests/unit/deploy/railway-pipeline.test.ts",
  render: "tests/unit/deploy/render-pipeline.test.ts",
};

const DEPLOY_TESTS = path.join(repo, "tests/unit/deploy");
/** Reading a target's files: through ./rules (loadDeployFiles), ./absent, or a manifest reader. */
const READS_TARGETS = /from "\.\/(rules|absent)"/;
const READS_A_MANIFEST =
  /\bread(Fly|Railway|RailwayWorker|Render|Compose|PlatformManifests)\b|\b(PLATFORM|TARGET)_FILES\b/;
const deployTests = readdirSync(DEPLOY_TESTS)
  .filter((file) => file.endsWith(".test.ts") && file !== path.basename(THIS_FILE))
  .map((file) => ({ file: `tests/unit/deploy/${file}`, source: readFileSync(path.join(DEPLOY_TESTS, file), "utf8") }));
const targetTests = deployTests.filter((test) => READS_TARGETS.test(test.source)).map((test) => test.file);

/** The files a fork would have: git's, without build output or anything ignored. */
function checkoutFiles(): string[] {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repo,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout.split("\0").filter((file) => file && existsSync(path.join(repo, file)));
}

let scratch: string;
let results: CutDownResult[] = [];
let output = "";
let status: number | null = null;

beforeAll(async () => {
  if (present.length === 0) return;
  scratch = mkdtempSync(path.join(tmpdir(), "slipway-cut-down-"));
  const files = checkoutFiles();
  const projects = subsets.map((kept, index) => {
    const dir = path.join(scratch, `subset-${index}`);
    const removed = new Set(
      present.filter((target) => !kept.includes(target)).flatMap((target) => TARGET_FILES[target]),
    );
    for (const file of files.filter((candidate) => !removed.has(candidate))) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      copyFileSync(path.join(repo, file), path.join(dir, file));
    }
    return {
      extends: true,
      test: {
        name: nameOf(kept),
        include: targetTests.filter((file) => !kept.some((target) => PIPELINE_TESTS[target] === file)),
        env: { SLIPWAY_DEPLOY_ROOT: dir, SLIPWAY_SKIP_LOG: path.join(dir, "skips.jsonl") },
        isolate: false,
      },
    };
  });
  const resultsFile = path.join(scratch, "results.json");
  const config = path.join(scratch, "vitest.cut-down.config.mts");
  writeFileSync(
    config,
    [
      `import base from ${JSON.stringify(path.join(repo, "vitest.config.ts"))};`,
      "export default {",
      "  ...base,",
      `  root: ${JSON.stringify(repo)},`,
      "  test: {",
      "    ...base.test,",
      `    reporters: [[${JSON.stringify(path.join(repo, "tests/support/cut-down-reporter.ts"))}, { file: ${JSON.stringify(resultsFile)} }]],`,
      `    projects: ${JSON.stringify(projects)},`,
      "  },",
      "};",
    ].join("\n"),
  );
  // The child is a run of its own: none of this worker's vitest variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
  const child = spawn(
    process.execPath,
    [path.join(repo, "node_modules/vitest/vitest.mjs"), "run", "--config", config],
    {
      cwd: repo,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  status = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (!existsSync(resultsFile)) throw new Error(`no results from the cut-down checks (exit ${status}):\n${output}`);
  results = JSON.parse(readFileSync(resultsFile, "utf8")) as CutDownResult[];
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

const statesOf = (project: string, describeTitle: string) =>
  new Set(
    results
      .filter((result) => result.project === project && result.describe === describeTitle)
      .map((result) => result.state),
  );

describe.skipIf(present.length === 0)("a checkout that keeps only some deployment targets", () => {
  it("leaves out only test files that read no target's files", () => {
    const left = deployTests.filter((test) => !targetTests.includes(test.file));
    expect(left.filter((test) => READS_A_MANIFEST.test(test.source)).map((test) => test.file)).toEqual([]);
    expect(targetTests).toEqual(expect.arrayContaining(Object.values(PIPELINE_TESTS)));
  });

  it("runs every subset of the targets, down to none", () => {
    expect(new Set(results.map((result) => result.project))).toEqual(new Set(subsets.map(nameOf)));
    expect(subsets).toHaveLength(2 ** present.length - 1);
  });

  it.each(subsets.map((kept) => [nameOf(kept), kept] as const))(
    "%s: passes the deploy checks, skipping the others' and saying so",
    (project, kept) => {
      const failed = results.filter((result) => result.project === project && result.state === "failed");
      expect(failed, `${output.slice(-3000)}`).toEqual([]);
      for (const target of present) {
        const states = statesOf(project, OWN_RULES[target]);
        expect(states, target).toEqual(new Set([kept.includes(target) ? "passed" : "skipped"]));
      }
      expect(statesOf(project, "migrator")).toContain("passed");
      // Loud: each absent target's skip is logged for the end-of-run summary.
      const log = path.join(
        scratch,
        `subset-${subsets.findIndex((subset) => nameOf(subset) === project)}`,
        "skips.jsonl",
      );
      const skips = existsSync(log) ? readFileSync(log, "utf8") : "";
      for (const target of present.filter((candidate) => !kept.includes(candidate)))
        expect(skips).toContain(`${PLATFORM_FILES[target]} is absent: the ${target} checks are skipped`);
    },
  );

  it("copies no build output into the scratch checkouts", () => {
    expect(status, output.slice(-3000)).toBe(0);
    for (const dir of [".next", ".releases", "node_modules", "dist", ".data"])
      expect(existsSync(path.join(scratch, "subset-0", dir)), dir).toBe(false);
  });
});
