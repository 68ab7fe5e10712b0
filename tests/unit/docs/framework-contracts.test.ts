import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readFrameworkContracts } from "../../../scripts/framework-contracts";

/**
 * docs/framework-contracts.md cannot drift: every row's file holds the text it quotes exactly once
 * (so the row points at one place), and every test it names exists. (npm run upgrade:check runs those tests against new versions.)
 */

const root = path.resolve(import.meta.dirname, "../../..");

describe("docs/framework-contracts.md", () => {
  const contracts = readFrameworkContracts(root);

  it("lists the contracts", () => {
    expect(contracts.length).toBeGreaterThanOrEqual(8);
  });

  it.each(contracts.map((row) => [row.number, row] as const))(
    "row %s points at the one place that relies on it",
    (_n, row) => {
      const source = readFileSync(path.join(root, row.file), "utf8");
      expect(source.split(row.text).length - 1, `${row.file}: ${row.text}`).toBe(1);
    },
  );

  it.each(contracts.map((row) => [row.number, row] as const))("row %s is pinned by tests that exist", (_n, row) => {
    expect(row.tests.length).toBeGreaterThan(0);
    for (const test of row.tests) expect(existsSync(path.join(root, test)), test).toBe(true);
  });
});
