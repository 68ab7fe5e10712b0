import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Reporter } from "vitest/reporters";

/**
 * Prints, at the end of a run, every test file that skipped because a program was missing
 * (tests/support/requirements.ts), so a green run on a bare machine says what it did not test.
 */
export default class SkipSummaryReporter implements Reporter {
  // Not a constructor parameter: vitest passes each reporter its options object (`{}`).
  private readonly logFile = process.env.SLIPWAY_SKIP_LOG;

  onTestRunEnd(): void {
    if (!this.logFile || !existsSync(this.logFile)) return;
    const entries = readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { file: string; reason: string });
    rmSync(this.logFile, { force: true });
    if (entries.length === 0) return;
    const byReason = new Map<string, Set<string>>();
    for (const { file, reason } of entries) {
      if (!byReason.has(reason)) byReason.set(reason, new Set());
      if (file) byReason.get(reason)!.add(file);
    }
    const lines = ["", `Skipped because a program is missing (${entries.length} test files; CI runs them all):`];
    for (const [reason, files] of byReason) {
      lines.push(`  - ${reason}`);
      for (const file of [...files].sort()) lines.push(`      ${file}`);
    }
    console.log(lines.join("\n"));
  }
}
