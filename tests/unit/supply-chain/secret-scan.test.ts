import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../support/command";

/**
 * The secret scan CI runs (scripts/scan-secrets.ts, `npm run secrets:scan`): secretlint over the
 * tracked files and the history's patches, shown on scratch repositories, one clean and one where a
 * token was committed and deleted again.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
// Assembled here so that this file itself holds no token-shaped string.
const FAKE_TOKEN = ["ghp", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("_");
let dir: string;

async function repository(name: string, commits: { file: string; content?: string }[]): Promise<string> {
  const repo = path.join(dir, name);
  const git = (args: string[]) =>
    runCommand("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo });
  await runCommand("git", ["init", "--quiet", repo]);
  for (const [index, commit] of commits.entries()) {
    if (commit.content === undefined) await git(["rm", "--quiet", commit.file]);
    else {
      writeFileSync(path.join(repo, commit.file), commit.content);
      await git(["add", commit.file]);
    }
    await git(["commit", "--quiet", "-m", `commit ${index}`]);
  }
  return repo;
}

const scan = (cwd: string, args: string[] = []) =>
  runCommand(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "scripts/scan-secrets.ts"), ...args], {
    cwd,
    timeoutMs: 120_000,
  });

describe("secret scan", { timeout: 60_000 }, () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "slipway-secret-scan-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes a repository without credentials, fixtures' loopback connection strings included", async () => {
    const repo = await repository("clean", [
      { file: "a.ts", content: 'export const url = "postgres://app:pass@127.0.0.1:5432/app";\n' },
    ]);
    const result = await scan(repo);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("0 finding(s)");
  });

  it("fails on a token in the tree, naming the file and line but not the token", async () => {
    const repo = await repository("tree", [{ file: "config.ts", content: `\nconst token = "${FAKE_TOKEN}";\n` }]);
    const result = await scan(repo);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secret: config\.ts:2 found GitHub Token/);
    expect(result.stdout + result.stderr).not.toContain(FAKE_TOKEN);
  });

  it("fails on a token that a later commit deleted: the history is scanned too", async () => {
    const repo = await repository("history", [
      { file: "config.ts", content: `const token = "${FAKE_TOKEN}";\n` },
      { file: "config.ts" },
    ]);
    const result = await scan(repo);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secret: [0-9a-f]{12} \(history\) found GitHub Token/);
    expect(result.stderr).not.toMatch(/secret: config\.ts/);
  });

  it("scans only the commits after --since", async () => {
    const repo = await repository("since", [
      { file: "config.ts", content: `const token = "${FAKE_TOKEN}";\n` },
      { file: "config.ts" },
      { file: "b.ts", content: "export const b = 1;\n" },
    ]);
    const result = await scan(repo, ["--since", "HEAD~1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("1 commit(s) of history after HEAD~1");
  });
});
