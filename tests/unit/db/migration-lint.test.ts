import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";

const root = path.resolve(import.meta.dirname, "../../..");
const fixtures = path.join(root, "tests/fixtures/migrations");

/** scripts/lint-migrations.mjs (squawk with .squawk.toml), exactly as `npm run db:lint` runs it. */
function lint(...files: string[]): { code: number | null; findings: string[] } {
  const result = spawnSync(process.execPath, ["scripts/lint-migrations.mjs", ...files], {
    cwd: root,
    encoding: "utf8",
  });
  const findings = result.stdout.split("\n").filter((line) => /^\S+\.sql:\d+: /.test(line));
  return { code: result.status, findings };
}

/** The rule each finding names, per fixture file name. */
const rulesOf = (findings: string[]) =>
  findings.map((line) => {
    const [, file, rule] = /^(?:.*\/)?([^/]+\.sql):\d+: ([\w-]+):/.exec(line)!;
    return `${file} ${rule}`;
  });

describe("migration linter (squawk)", () => {
  it("passes on the project's migrations", () => {
    const result = lint();
    expect(result.findings).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("passes through the deploy runbook's command", async () => {
    const result = await runRunbookBlock(runbookBlock("deploy.md", "lint-migrations"));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/db:lint: \d+ migration file\(s\), no findings/);
  });

  it("passes on release N+1's expand-only migration and on an explicitly marked contract step", () => {
    const files = ["next-release", "contract"].flatMap((folder) =>
      readdirSync(path.join(fixtures, folder)).map((file) => path.join(fixtures, folder, file)),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(lint(...files)).toEqual({ code: 0, findings: [] });
  });

  it("refuses every destructive or locking change made in one step", () => {
    const folder = path.join(fixtures, "destructive");
    const result = lint(...readdirSync(folder).map((file) => path.join(folder, file)));
    expect(result.code).toBe(1);
    expect(rulesOf(result.findings)).toEqual(
      expect.arrayContaining([
        "drop_column.sql ban-drop-column",
        "rename_column.sql renaming-column",
        "drop_table.sql ban-drop-table",
        "drop_table.sql renaming-table",
        "required_column.sql adding-required-field",
        "required_column.sql adding-not-nullable-field",
        "column_type.sql changing-column-type",
        "blocking_index.sql require-concurrent-index-creation",
      ]),
    );
  });

  it("refuses a contract marker that gives no reason", () => {
    const result = lint(path.join(fixtures, "destructive/ignore_without_reason.sql"));
    expect(result.code).toBe(1);
    expect(rulesOf(result.findings)).toEqual(["ignore_without_reason.sql squawk-ignore-without-reason"]);
  });
});
