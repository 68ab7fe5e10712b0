import { describe, expect, it } from "vitest";
import { cspReportLine, cspViolationsOf } from "@/lib/security";

const report = (count: number, prefix: string) =>
  JSON.stringify(
    Array.from({ length: count }, (_, index) => ({
      type: "csp-violation",
      body: {
        documentURL: "https://app.example/projects?secret=1",
        effectiveDirective: "script-src-elem",
        blockedURL: `https://${prefix}${index}.example/x.js?token=2`,
      },
    })),
  );

describe("CSP reports", () => {
  it("reduce each violation to its directive, blocked origin and page (no query strings)", () => {
    expect(cspViolationsOf(report(1, "a"))).toEqual([
      { directive: "script-src-elem", blocked: "https://a0.example", page: "/projects" },
    ]);
  });

  it("summarize a report of 40 violations in one line: the count and the first 5 distinct ones", () => {
    const line = cspReportLine(cspViolationsOf(report(40, "forty")), 1_000_000);
    expect(line?.count).toBe(40);
    expect(line?.distinct).toHaveLength(5);
  });

  it("log nothing for violations already logged in the last minute, and log them again after it", () => {
    const violations = cspViolationsOf(report(3, "repeat"));
    expect(cspReportLine(violations, 2_000_000)).toBeDefined();
    expect(cspReportLine(violations, 2_000_000 + 59_000)).toBeUndefined();
    expect(cspReportLine(violations, 2_000_000 + 61_000)).toBeDefined();
  });

  it("log nothing for a report without violations", () => {
    expect(cspReportLine(cspViolationsOf("not json"))).toBeUndefined();
  });
});
