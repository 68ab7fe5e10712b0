// Turns the test runners' JSON reports (and the game day's) into closing lines: "<runner>: N passed, N failed, N skipped".
// Exits non-zero when a runner reported an error outside a test, or when no test ran at all: a
// runner can exit 0 in both cases.
import { existsSync, readFileSync } from "node:fs";

const [vitestFile, playwrightFile, gamedayFile] = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const line = (name, counts) => {
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const key of Object.keys(totals)) totals[key] += counts[key];
};

let healthy = true;
if (vitestFile && existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, "utf8"));
  if (report.success === false || report.numTotalTests === 0) healthy = false;
  line("vitest", {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? 1 : 0),
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  });
} else {
  console.log("vitest: no report (the run did not complete)");
  healthy = false;
}

if (playwrightFile && existsSync(playwrightFile)) {
  const { stats } = JSON.parse(readFileSync(playwrightFile, "utf8"));
  line("playwright", { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped });
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
  } else {
    console.log("gameday: no report (the run did not complete)");
    healthy = false;
  }
}

console.log(`total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (!healthy || totals.failed > 0 || totals.passed === 0) {
  console.log("summary: a runner failed, errored outside a test, or ran no test");
  process.exit(1);
}
