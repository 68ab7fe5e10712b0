import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readFrameworkContracts } from "../../../scripts/framework-contracts";

/**
 * docs/framework-contracts.md cannot drift: every row's `file:line` still holds the text it quotes,
 * and every test it names exists. (npm run upgrade:check runs those tests against new versions.)
 */

const root = path.resolve(import.meta.dirname, "../../..");

describe("docs/framework-contracts.md", () => {
  const contracts = readFrameworkContracts(root);

  it("lists the contracts", () => {
    expect(contracts.length).toBeGreaterThanOrEqual(8);
  });

  it.each(contracts.map((row) => [row.number, row] as const))(
    "row %s points at the line that relies on it",
    (_n, row) => {
      const lines = readFileSync(path.join(root, row.file), "utf8").split("\n");
      expect(lines[row.line - 1], `${row.file}:${row.line}`).toContain(row.text);
    },
  );

  it.each(contracts.map((row) => [row.number, row] as const))("row %s is pinned by tests that exist", (_n, row) => {
    expect(row.tests.length).toBeGreaterThan(0);
    for (const test of row.tests) expect(existsSync(path.join(root, test)), test).toBe(true);
  });
});
