import { connection } from "next/server";
import { PageFrame } from "@/components/page-frame";
import { getEnv } from "@/lib/env";
import { getHealthReport } from "@/lib/health";

export const metadata = { title: "Status" };

const OVERALL = {
  healthy: "All systems operational",
  degraded: "Degraded: the app serves, something needs attention",
  unhealthy: "Major outage: the app cannot serve",
} as const;

const STATE: Record<string, string> = {
  up: "Operational",
  ok: "Operational",
  "up-to-date": "Operational",
  down: "Down",
  stale: "Behind schedule",
  unreadable: "Unknown",
  pending: "Upgrade in progress",
  unknown: "Unknown",
};

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/**
 * The public status page: each component's state from the same cached checks as /api/health (no
 * latencies, no reasons, nothing a visitor should not see), this instance's release and uptime,
 * and the external status page when one is configured (STATUS_PAGE_URL).
 */
export default async function StatusPage() {
  await connection();
  const { body: report } = await getHealthReport();
  const { checks } = report;
  const components: [string, string][] = [
    ["Application", report.draining ? "Restarting" : "Operational"],
    ["Database", STATE[checks.database.status] ?? "Unknown"],
    ...(checks.redis.status === "not-configured"
      ? []
      : ([["Cache (Redis)", STATE[checks.redis.status] ?? "Unknown"]] as [string, string][])),
    ["Schema", STATE[checks.migrations.status] ?? "Unknown"],
    ...(checks.backup ? ([["Backups", STATE[checks.backup.status] ?? "Unknown"]] as [string, string][]) : []),
  ];
  const externalPage = getEnv().STATUS_PAGE_URL;
  return (
    <PageFrame>
      <h1>Status</h1>
      <p role="status" data-testid="overall-status" data-status={report.status}>
        <strong>{OVERALL[report.status]}</strong>
      </p>
      <table>
        <caption className="muted" style={{ textAlign: "left", marginBlock: "1rem" }}>
          Checked at <time dateTime={report.timestamp}>{report.timestamp.slice(0, 19).replace("T", " ")} UTC</time>
        </caption>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {components.map(([name, state]) => (
            <tr key={name} data-testid="status-component">
              <td>{name}</td>
              <td>{state}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Release <code>{report.commit ?? report.version}</code>, this instance up for {duration(report.uptimeSeconds)}.
      </p>
      {externalPage ? (
        <p>
          Incidents and maintenance are announced on <a href={externalPage}>our status page</a>.
        </p>
      ) : null}
    </PageFrame>
  );
}
