// Turns the test runners' JSON reports (and the game day's and the page budgets') into closing lines: "<runner>: N passed, N failed, N skipped".
// Exits non-zero when a runner reported an error outside a test, or when no test ran at all: a
// runner can exit 0 in both cases.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const [vitestFile, playwrightFile, gamedayFile, coverageFile, lighthouseFile] = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const line = (name, counts) => {
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const key of Object.keys(totals)) totals[key] += counts[key];
};

const firstLine = (text) => (text ?? "").split("\n")[0].slice(0, 200);

let healthy = true;
if (vitestFile && existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, "utf8"));
  if (report.success === false || report.numTotalTests === 0) healthy = false;
  line("vitest", {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? 1 : 0),
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  });
  // CI shows only the tail of the log: name what failed, so one look says which test to read.
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    if (file.status === "failed" && failed.length === 0)
      console.log(`  failed file: ${relative(process.cwd(), file.name)} (${firstLine(file.message)})`);
    for (const test of failed)
      console.log(
        `  failed: ${relative(process.cwd(), file.name)} > ${test.fullName} (${firstLine(test.failureMessages?.[0])})`,
      );
  }
} else {
  console.log("vitest: no report (the run did not complete)");
  healthy = false;
}

if (playwrightFile && existsSync(playwrightFile)) {
  const { stats, suites = [] } = JSON.parse(readFileSync(playwrightFile, "utf8"));
  line("playwright", { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped });
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      if (spec.tests?.some((test) => test.status === "unexpected"))
        console.log(`  failed: ${[...path, spec.title].join(" > ")}`);
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const suite of suites) walk(suite, [suite.title]);
} else {
  console.log("playwright: no report (the run did not complete)");
  healthy = false;
}

// The game day (npm run gameday): one entry per scenario; given but missing means it did not finish.
if (gamedayFile) {
  if (existsSync(gamedayFile)) {
    const report = JSON.parse(readFileSync(gamedayFile, "utf8"));
    const passed = report.scenarios.filter((scenario) => scenario.passed).length;
    if (report.problems.length > 0) healthy = false;
    line("gameday", { passed, failed: report.scenarios.length - passed, skipped: 0 });
    for (const scenario of report.scenarios.filter((entry) => !entry.passed)) {
      console.log(`  failed: ${scenario.id} (${firstLine(scenario.problems[0])})`);
    }
    for (const problem of report.problems) console.log(`  problem: ${firstLine(problem)}`);
  } else {
    console.log("gameday: no report (the run did not complete)");
    healthy = false;
  }
}

// Coverage of src/ and db/ (vitest's json-summary; the thresholds fail npm test itself).
if (coverageFile) {
  if (existsSync(coverageFile)) {
    const { total } = JSON.parse(readFileSync(coverageFile, "utf8"));
    const share = (key) => `${total[key].pct} % (${total[key].covered}/${total[key].total})`;
    console.log(`coverage: lines ${share("lines")}, branches ${share("branches")}, functions ${share("functions")}`);
  } else {
    console.log("coverage: no report (the test run did not complete)");
  }
}

// Page budgets (npm run lighthouse): one verdict per page; given but missing means it did not finish.
if (lighthouseFile) {
  if (existsSync(lighthouseFile)) {
    const { pages } = JSON.parse(readFileSync(lighthouseFile, "utf8"));
    const passed = pages.filter((page) => page.passed).length;
    line("lighthouse", { passed, failed: pages.length - passed, skipped: 0 });
    for (const page of pages.filter((entry) => !entry.passed)) {
      console.log(`  failed: ${page.page} (${page.misses.map((miss) => miss.message).join("; ")})`);
    }
  } else {
    console.log("lighthouse: no report (the run did not complete)");
    healthy = false;
  }
}

console.log(`total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (!healthy || totals.failed > 0 || totals.passed === 0) {
  console.log("summary: a runner failed, errored outside a test, or ran no test");
  process.exit(1);
}
