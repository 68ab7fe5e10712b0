/**
 * Page budgets (`npm run lighthouse`, docs/performance.md "Page budgets"): what one Lighthouse run
 * of a page scored, checked against the budgets, and the verdict over a page's runs. Pure: the
 * runner (bench/lighthouse.ts) feeds it Lighthouse's result objects.
 */

/** Scores are Lighthouse's, 0–100 (its report's 0–1 times 100). */
export interface PageBudget {
  performance: number;
  accessibility: number;
  bestPractices: number;
  /** JavaScript transferred (compressed bytes on the wire) by the page's load; public pages only. */
  scriptTransferBytes?: number;
}

export const PAGE_BUDGET: PageBudget = { performance: 90, accessibility: 100, bestPractices: 100 };

/**
 * JavaScript a public page may transfer on load (compressed bytes): what it measured on 2026-12-07
 * (landing 161.4 KB, sign-in 217.0 KB; docs/performance.md, "Page budgets") plus about 10 %
 * headroom for ordinary growth. A dependency that adds tens of kilobytes to every visitor's first
 * load fails it and has to be argued for.
 */
export const PUBLIC_PAGE_SCRIPT_BYTES = { landing: 180_000, signIn: 240_000 } as const;

/** What the runner needs from a Lighthouse result (LH.Result), nothing more. */
export interface LighthouseReport {
  runtimeError?: { code: string; message: string };
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] } | undefined>;
  audits: Record<
    string,
    { score: number | null; scoreDisplayMode?: string; title: string; numericValue?: number; details?: unknown }
  >;
}

export interface PageRun {
  /** null when Lighthouse could not score a category (the run failed). */
  performance: number | null;
  accessibility: number | null;
  bestPractices: number | null;
  scriptTransferBytes: number;
  /** Lighthouse's lab metrics behind the performance score (milliseconds; CLS unitless), to say why it moved. */
  metrics: Record<string, number>;
  /** Weighted audits that did not pass in the accessibility and best-practices categories: what to fix. */
  failedAudits: string[];
  /** Lighthouse's own failure (page did not load, Chrome crashed…), if any. */
  error?: string;
}

/** The metrics the performance score is made of (Lighthouse 12's weights: TBT 30, LCP 25, CLS 25, FCP 10, SI 10). */
const METRICS = {
  fcp: "first-contentful-paint",
  lcp: "largest-contentful-paint",
  tbt: "total-blocking-time",
  cls: "cumulative-layout-shift",
  si: "speed-index",
} as const;

const percent = (score: number | null | undefined) => (typeof score === "number" ? Math.round(score * 100) : null);

/** The figures of one run, from Lighthouse's result. */
export function summarizeRun(report: LighthouseReport): PageRun {
  const items =
    (report.audits["resource-summary"]?.details as { items?: { resourceType: string; transferSize: number }[] })
      ?.items ?? [];
  const failedAudits = ["accessibility", "best-practices"].flatMap((category) =>
    (report.categories[category]?.auditRefs ?? [])
      .filter((ref) => ref.weight > 0)
      .map((ref) => ({ id: ref.id, audit: report.audits[ref.id] }))
      .filter(({ audit }) => audit && audit.scoreDisplayMode !== "notApplicable" && (audit.score ?? 0) < 1)
      .map(({ id, audit }) => `${category}: ${id} (${audit!.title})`),
  );
  return {
    performance: percent(report.categories.performance?.score),
    accessibility: percent(report.categories.accessibility?.score),
    bestPractices: percent(report.categories["best-practices"]?.score),
    scriptTransferBytes: items.find((item) => item.resourceType === "script")?.transferSize ?? 0,
    metrics: Object.fromEntries(
      Object.entries(METRICS).flatMap(([name, id]) => {
        const value = report.audits[id]?.numericValue;
        return typeof value === "number"
          ? [[name, Math.round(value * (name === "cls" ? 1000 : 1)) / (name === "cls" ? 1000 : 1)]]
          : [];
      }),
    ),
    failedAudits,
    ...(report.runtimeError ? { error: `${report.runtimeError.code}: ${report.runtimeError.message}` } : {}),
  };
}

export interface BudgetMiss {
  /** performance misses can be the machine's noise (another run may pass); the others cannot. */
  kind: "performance" | "accessibility" | "bestPractices" | "scriptTransferBytes" | "error";
  message: string;
}

/** Every budget a run missed; empty when it met them all. */
export function budgetMisses(run: PageRun, budget: PageBudget): BudgetMiss[] {
  const misses: BudgetMiss[] = [];
  if (run.error) misses.push({ kind: "error", message: `Lighthouse failed: ${run.error}` });
  const scores = [
    ["performance", run.performance, budget.performance],
    ["accessibility", run.accessibility, budget.accessibility],
    ["bestPractices", run.bestPractices, budget.bestPractices],
  ] as const;
  for (const [kind, score, minimum] of scores) {
    if (score === null || score < minimum)
      misses.push({ kind, message: `${kind} ${score ?? "not scored"} < ${minimum}` });
  }
  if (budget.scriptTransferBytes !== undefined && run.scriptTransferBytes > budget.scriptTransferBytes) {
    misses.push({
      kind: "scriptTransferBytes",
      message: `JavaScript ${run.scriptTransferBytes} bytes > ${budget.scriptTransferBytes}`,
    });
  }
  return misses;
}

/**
 * Whether another run can change the verdict: only a performance score can (Lighthouse times the
 * page's work on this machine, and other work on it only ever slows a run); accessibility, best
 * practices and the bytes are properties of the build, the same in every run.
 */
export function worthAnotherRun(misses: readonly BudgetMiss[]): boolean {
  return misses.length > 0 && misses.every((miss) => miss.kind === "performance");
}

export interface PageVerdict {
  page: string;
  passed: boolean;
  runs: PageRun[];
  /** The run the verdict rests on: the first that met every budget, else the best-scoring one. */
  best: PageRun;
  misses: BudgetMiss[];
}

/**
 * A page passes when one of its runs met every budget (the runner stops at that run). Otherwise
 * the verdict reports the run with the best performance score and its misses.
 */
export function judgePage(page: string, runs: readonly PageRun[], budget: PageBudget): PageVerdict {
  if (runs.length === 0) throw new Error(`${page}: no Lighthouse run`);
  const passing = runs.find((run) => budgetMisses(run, budget).length === 0);
  const best = passing ?? [...runs].sort((a, b) => (b.performance ?? -1) - (a.performance ?? -1))[0]!;
  return { page, passed: Boolean(passing), runs: [...runs], best, misses: budgetMisses(best, budget) };
}
