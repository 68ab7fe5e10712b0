/**
 * Dependency audit (`npm run audit:deps`, run by .ci/run): `npm audit --omit=dev` against the
 * configured registry's advisory endpoint; fails on a high or critical advisory in a production
 * dependency (direct or transitive). Dev dependencies never reach the image and are left out.
 * ADR 0062 says why this tool and what happens where the registry has no advisory endpoint.
 *
 *   npm run audit:deps                 # exit 1 on high/critical, 0 otherwise
 *   AUDIT_REQUIRED=true npm run audit:deps   # also exit 1 when the registry cannot be audited
 *
 * Exit 0: audited, nothing high or critical (lower severities are listed); or the registry has no
 * advisory endpoint (a loud NOT AUDITED line) and AUDIT_REQUIRED is not "true".
 * Exit 1: a high or critical advisory; or not audited while AUDIT_REQUIRED=true.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const FAILING = new Set(["high", "critical"]);

interface Vulnerability {
  name: string;
  severity: "info" | "low" | "moderate" | "high" | "critical";
  isDirect: boolean;
  via: (string | { title?: string; url?: string; severity?: string })[];
  range: string;
}

interface AuditReport {
  vulnerabilities?: Record<string, Vulnerability>;
  /** npm's JSON when the advisory request failed. */
  statusCode?: number;
  message?: string;
  error?: { summary?: string };
}

function main(): number {
  const result = spawnSync("npm", ["audit", "--omit=dev", "--json", ...process.argv.slice(2)], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  let report: AuditReport;
  try {
    report = JSON.parse(result.stdout) as AuditReport;
  } catch {
    console.error(`audit:deps: npm audit printed no report (exit ${result.status}): ${result.stderr.trim()}`);
    return 1;
  }

  if (!report.vulnerabilities) {
    const why = report.statusCode
      ? `the registry answered HTTP ${report.statusCode} to the advisory query`
      : (report.error?.summary ?? report.message ?? "no report");
    console.warn(`audit:deps: NOT AUDITED: ${why}. ADR 0062: set AUDIT_REQUIRED=true where the registry audits.`);
    return process.env.AUDIT_REQUIRED === "true" ? 1 : 0;
  }

  const found = Object.values(report.vulnerabilities);
  const advisories = (vulnerability: Vulnerability) =>
    vulnerability.via
      .map((via) => (typeof via === "string" ? `via ${via}` : `${via.title ?? "advisory"} ${via.url ?? ""}`.trim()))
      .join("; ");
  for (const vulnerability of found) {
    const line = `${vulnerability.severity.toUpperCase()} ${vulnerability.name}${vulnerability.isDirect ? " (direct)" : ""} ${vulnerability.range}: ${advisories(vulnerability)}`;
    if (FAILING.has(vulnerability.severity)) console.error(`audit:deps: ${line}`);
    else console.log(`audit:deps: ${line}`);
  }
  const failing = found.filter((vulnerability) => FAILING.has(vulnerability.severity));
  console.log(
    `audit:deps: production dependencies audited: ${found.length} advisory finding(s), ${failing.length} high or critical`,
  );
  return failing.length ? 1 : 0;
}

process.exit(main());
