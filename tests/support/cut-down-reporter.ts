import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";

/**
 * For tests/unit/deploy/cut-down.test.ts: every test's outcome with the project (the cut-down checkout) it ran in
 * and its top-level describe block, written as JSON to the file the reporter is given.
 */
export interface CutDownResult {
  project: string;
  file: string;
  describe: string;
  test: string;
  state: string;
  errors: string[];
}

export default class CutDownReporter implements Reporter {
  constructor(private readonly options: { file: string }) {}

  onTestRunEnd(modules: readonly TestModule[]): void {
    const results: CutDownResult[] = [];
    for (const testModule of modules) {
      for (const test of testModule.children.allTests()) {
        let top = test.parent;
        while (top.type === "suite" && top.parent.type === "suite") top = top.parent;
        const result = test.result();
        results.push({
          project: testModule.project.name,
          file: path.basename(testModule.moduleId),
          describe: top.type === "suite" ? top.name : "",
          test: test.name,
          state: result.state,
          errors: (result.errors ?? []).map((error) => String(error.message).slice(0, 500)),
        });
      }
      if (testModule.state() === "failed" && testModule.children.size === 0)
        results.push({
          project: testModule.project.name,
          file: path.basename(testModule.moduleId),
          describe: "",
          test: "(file)",
          state: "failed",
          errors: (testModule.errors() ?? []).map((error) => String(error.message)),
        });
    }
    writeFileSync(this.options.file, JSON.stringify(results));
  }
}
