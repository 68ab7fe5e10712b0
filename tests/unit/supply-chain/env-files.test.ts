import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Environment files hold secrets: git ignores every `.env*` file but the committed examples, in
 * every folder (asked of git itself, with the repository's .gitignore).
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** The paths among `paths` that git would ignore. */
function ignored(paths: string[]): string[] {
  const result = spawnSync("git", ["check-ignore", "--no-index", "--stdin"], {
    cwd: ROOT,
    input: paths.join("\n"),
    encoding: "utf8",
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
  return result.stdout.split("\n").filter(Boolean);
}

describe("environment files", () => {
  const secretFiles = [
    ".env",
    ".env.local",
    ".env.production",
    ".env.production.local",
    ".env.development.local",
    ".env.test",
    ".env.staging",
    "db/.env",
    "scripts/.env.local",
    "ops/alertmanager/.env",
  ];

  it("are ignored by git, at the root and in subfolders", () => {
    expect(ignored(secretFiles)).toEqual(secretFiles);
  });

  it("except the committed example", () => {
    expect(ignored([".env.example"])).toEqual([]);
    const tracked = spawnSync("git", ["ls-files", "--", ".env*", "**/.env*"], { cwd: ROOT, encoding: "utf8" });
    expect(tracked.stdout.split("\n").filter(Boolean)).toEqual([".env.example"]);
  });
});
