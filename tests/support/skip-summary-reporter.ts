import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Reporter } from "vitest/reporters";
import type { SkipKind } from "./requirements";

/**
 * Prints, at the end of a run, every test file that skipped because a program was missing or a
 * deployment file is absent (tests/support/requirements.ts), so a green run on a bare machine or
 * a cut-down fork says what it did not test.
 */
export default class SkipSummaryReporter implements Reporter {
  // Not a constructor parameter: vitest passes each reporter its options object (`{}`).
  private readonly logFile = process.env.SLIPWAY_SKIP_LOG;

  onTestRunEnd(): void {
    if (!this.logFile || !existsSync(this.logFile)) return;
    const entries = readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { file: string; reason: string; kind?: SkipKind });
    rmSync(this.logFile, { force: true });
    if (entries.length === 0) return;
    const headings: Record<SkipKind, string> = {
      "missing program": "Skipped because a program is missing (CI installs them and runs every one)",
      "absent file": "Skipped because a deployment file is absent (the checkout does not deploy there)",
    };
    const lines: string[] = [];
    for (const [kind, heading] of Object.entries(headings) as [SkipKind, string][]) {
      const ofKind = entries.filter((entry) => (entry.kind ?? "missing program") === kind);
      if (ofKind.length === 0) continue;
      const byReason = new Map<string, Set<string>>();
      for (const { file, reason } of ofKind) {
        if (!byReason.has(reason)) byReason.set(reason, new Set());
        if (file) byReason.get(reason)!.add(file);
      }
      lines.push("", `${heading}:`);
      for (const [reason, files] of byReason) {
        lines.push(`  - ${reason}`);
        for (const file of [...files].sort()) lines.push(`      ${file}`);
      }
    }
    console.log(lines.join("\n"));
  }
}
