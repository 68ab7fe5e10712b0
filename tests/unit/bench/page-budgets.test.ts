import { describe, expect, it } from "vitest";
import {
  budgetMisses,
  judgePage,
  PAGE_BUDGET,
  summarizeRun,
  worthAnotherRun,
  type LighthouseReport,
  type PageRun,
} from "../../../bench/lib/page-budgets";

/** A Lighthouse result with the parts the runner reads (scores 0–1, as Lighthouse reports them). */
function report(
  scores: { performance: number; accessibility: number; bestPractices: number },
  scriptBytes = 120_000,
  failing: { id: string; title: string; weight: number }[] = [],
): LighthouseReport {
  return {
    categories: {
      performance: { score: scores.performance, auditRefs: [] },
      accessibility: {
        score: scores.accessibility,
        auditRefs: [{ id: "document-title", weight: 7 }, ...failing.map(({ id, weight }) => ({ id, weight }))],
      },
      "best-practices": { score: scores.bestPractices, auditRefs: [{ id: "errors-in-console", weight: 1 }] },
    },
    audits: {
      "document-title": { score: 1, title: "Document has a `<title>` element" },
      "errors-in-console": { score: 1, title: "No browser errors logged to the console" },
      ...Object.fromEntries(failing.map(({ id, title }) => [id, { score: 0, title }])),
      "resource-summary": {
        score: null,
        title: "Resources Summary",
        details: {
          items: [
            { resourceType: "total", transferSize: scriptBytes + 20_000 },
            { resourceType: "script", transferSize: scriptBytes },
          ],
        },
      },
    },
  };
}

const budget = { ...PAGE_BUDGET, scriptTransferBytes: 150_000 };
const run = (overrides: Partial<PageRun> = {}): PageRun => ({
  performance: 95,
  accessibility: 100,
  bestPractices: 100,
  scriptTransferBytes: 120_000,
  metrics: {},
  failedAudits: [],
  ...overrides,
});

describe("a Lighthouse run's figures", () => {
  it("are the category scores in percent, the script bytes transferred and the lab metrics", () => {
    const result = report({ performance: 0.93, accessibility: 1, bestPractices: 0.96 }, 141_900);
    result.audits["total-blocking-time"] = { score: 0.8, title: "Total Blocking Time", numericValue: 212.4 };
    result.audits["cumulative-layout-shift"] = { score: 1, title: "Cumulative Layout Shift", numericValue: 0.01234 };
    expect(summarizeRun(result)).toEqual({
      performance: 93,
      accessibility: 100,
      bestPractices: 96,
      scriptTransferBytes: 141_900,
      metrics: { tbt: 212, cls: 0.012 },
      failedAudits: [],
    });
  });

  it("name the weighted audits that failed, so the report says what to fix", () => {
    const summary = summarizeRun(
      report({ performance: 1, accessibility: 0.9, bestPractices: 1 }, 100_000, [
        { id: "color-contrast", title: "Background and foreground colors have a sufficient contrast ratio", weight: 7 },
        { id: "landmark-one-main", title: "Document has a main landmark", weight: 0 },
      ]),
    );
    expect(summary.failedAudits).toEqual([
      "accessibility: color-contrast (Background and foreground colors have a sufficient contrast ratio)",
    ]);
  });

  it("carry Lighthouse's own failure", () => {
    const failed = {
      ...report({ performance: 0, accessibility: 1, bestPractices: 1 }),
      runtimeError: { code: "NO_FCP", message: "The page did not paint any content." },
    };
    failed.categories.performance = { score: null, auditRefs: [] };
    const summary = summarizeRun(failed);
    expect(summary.performance).toBeNull();
    expect(budgetMisses(summary, budget).map((miss) => miss.kind)).toEqual(["error", "performance"]);
  });
});

describe("the budgets", () => {
  it("pass a run at exactly the budget", () => {
    expect(budgetMisses(run({ performance: 90, scriptTransferBytes: 150_000 }), budget)).toEqual([]);
  });

  it("fail a run below performance 90", () => {
    expect(budgetMisses(run({ performance: 89 }), budget)).toEqual([
      { kind: "performance", message: "performance 89 < 90" },
    ]);
  });

  it("fail a run below accessibility 100 or best practices 100", () => {
    expect(budgetMisses(run({ accessibility: 98, bestPractices: 96 }), budget).map((miss) => miss.kind)).toEqual([
      "accessibility",
      "bestPractices",
    ]);
  });

  it("fail a public page above its JavaScript budget, and leave a page without one alone", () => {
    const heavy = run({ scriptTransferBytes: 150_001 });
    expect(budgetMisses(heavy, budget)).toEqual([
      { kind: "scriptTransferBytes", message: "JavaScript 150001 bytes > 150000" },
    ]);
    expect(budgetMisses(heavy, PAGE_BUDGET)).toEqual([]);
  });

  it("fail a category Lighthouse could not score", () => {
    expect(budgetMisses(run({ accessibility: null }), budget)).toEqual([
      { kind: "accessibility", message: "accessibility not scored < 100" },
    ]);
  });
});

describe("a page's verdict over its runs", () => {
  it("passes on a run that met every budget, after slower ones", () => {
    const verdict = judgePage("landing", [run({ performance: 84 }), run({ performance: 92 })], budget);
    expect(verdict).toMatchObject({ passed: true, misses: [] });
    expect(verdict.best.performance).toBe(92);
  });

  it("fails when every run missed, reporting the best run's misses", () => {
    const verdict = judgePage(
      "landing",
      [run({ performance: 70 }), run({ performance: 85 }), run({ performance: 80 })],
      budget,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.best.performance).toBe(85);
    expect(verdict.misses).toEqual([{ kind: "performance", message: "performance 85 < 90" }]);
  });

  it("is retried only for a performance miss: the other budgets are the build's, the same in every run", () => {
    expect(worthAnotherRun(budgetMisses(run({ performance: 80 }), budget))).toBe(true);
    expect(worthAnotherRun(budgetMisses(run({ performance: 80, accessibility: 95 }), budget))).toBe(false);
    expect(worthAnotherRun(budgetMisses(run(), budget))).toBe(false);
  });
});
