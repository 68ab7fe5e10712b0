import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

function drizzleKit(args: string[]) {
  return spawnSync(path.join(root, "node_modules/.bin/drizzle-kit"), args, { cwd: root, encoding: "utf8" });
}

describe("db/schema and db/migrations", () => {
  it("pass drizzle-kit check (npm run db:check)", () => {
    const result = drizzleKit(["check"]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("Everything's fine");
  });

  it("agree: generating from the schema produces no new migration", () => {
    // drizzle-kit wants a relative --out; a scratch copy inside node_modules/.cache keeps the tree clean.
    const relative = path.join("node_modules", ".cache", `slipway-schema-check-${randomBytes(4).toString("hex")}`);
    const scratch = path.join(root, relative);
    mkdirSync(scratch, { recursive: true });
    try {
      cpSync(path.join(root, "db/migrations"), scratch, { recursive: true });
      const before = readdirSync(scratch, { recursive: true }).sort();
      const result = drizzleKit([
        "generate",
        "--dialect=postgresql",
        "--schema=./db/schema/index.ts",
        `--out=./${relative}`,
      ]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain("No schema changes");
      expect(readdirSync(scratch, { recursive: true }).sort()).toEqual(before);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
