import { connection } from "next/server";
import { PageFrame } from "@/components/page-frame";
import { getEnv } from "@/lib/env";
import { getHealthReport, getStatusHistory, type StatusHistory } from "@/lib/health";

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

const SOURCE: Record<StatusHistory["source"], string> = {
  prometheus: "from our monitoring",
  "uptime-record": "from our external uptime checks",
  none: "",
};

function percent(ratio: number | null): string {
  if (ratio === null) return "No data";
  return `${(Math.floor(ratio * 100_000) / 1000).toFixed(ratio === 1 ? 0 : 3)} %`;
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function History({ history }: { history: StatusHistory }) {
  if (history.source === "none") {
    return (
      <p className="muted" data-testid="status-history" data-source="none">
        No uptime history is available here: this page shows the current state only.
      </p>
    );
  }
  return (
    <section data-testid="status-history" data-source={history.source} aria-labelledby="uptime-heading">
      <h2 id="uptime-heading">Uptime</h2>
      <p className="muted">Share of checks that found the app serving, {SOURCE[history.source]}.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Over the last</th>
            <th scope="col">Uptime</th>
          </tr>
        </thead>
        <tbody>
          {history.uptime.map(({ window, ratio }) => (
            <tr key={window} data-testid="uptime-window">
              <td>{window}</td>
              <td>{percent(ratio)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Recent incidents</h2>
      {history.incidents.length === 0 ? (
        <p data-testid="no-incidents">No incidents in the last 30 days.</p>
      ) : (
        <ul>
          {history.incidents.map((incident) => (
            <li key={incident.start} data-testid="incident">
              Down from <time dateTime={incident.start}>{when(incident.start)}</time>{" "}
              {incident.end ? (
                <>
                  to <time dateTime={incident.end}>{when(incident.end)}</time>
                </>
              ) : (
                <strong>(ongoing)</strong>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The public status page: each component's state from the same cached checks as /api/health (no
 * latencies, no reasons, nothing a visitor should not see), this instance's release and uptime,
 * uptime over 24 h / 7 d / 30 d and recent incidents (from Prometheus, else the uptime workflow's
 * record, else none: getStatusHistory), and the external status page when one is configured
 * (STATUS_PAGE_URL).
 */
export default async function StatusPage() {
  await connection();
  const [{ body: report }, history] = await Promise.all([getHealthReport(), getStatusHistory()]);
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
      <History history={history} />
      {externalPage ? (
        <p>
          Incidents and maintenance are announced on <a href={externalPage}>our status page</a>.
        </p>
      ) : null}
    </PageFrame>
  );
}
