import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../scripts/embedded-postgres";
import { startPrometheus, type PrometheusHandle } from "../../support/prometheus";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * /status shows uptime over 24 h / 7 d / 30 d and recent incidents: from Prometheus (a real one,
 * its history backfilled with promtool as if it had scraped the app for a day), from the uptime
 * workflow's record when Prometheus does not answer, and the current state only when neither is
 * configured.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const skip = missingRequirement("prometheus", "the status page's history from Prometheus");

let prometheus: PrometheusHandle | undefined;
let fromPrometheus: StandaloneServer | undefined;
let fromRecord: StandaloneServer;
let withoutHistory: StandaloneServer;
let recordDir: string;
/** When the fixtures were written; every server answers later. */
const written = Date.now();
/** The Prometheus history's outage: 30 minutes, ten hours ago. */
const outageStart = written - 10 * HOUR;
const outageEnd = outageStart + 30 * MINUTE;

/** slipway_ready as scraped every 5 minutes for the last 26 hours, 0 during the outage. */
function readyHistory(): string {
  const lines = ["# TYPE slipway_ready gauge"];
  for (let time = written - 26 * HOUR; time < written - MINUTE; time += 5 * MINUTE) {
    const ready = time >= outageStart && time < outageEnd ? 0 : 1;
    lines.push(`slipway_ready{job="slipway",instance="app:3000"} ${ready} ${(time / 1000).toFixed(3)}`);
  }
  return `${lines.join("\n")}\n# EOF\n`;
}

/** The uptime workflow's record: a check every hour for 8 days, down for two checks 3 days ago. */
function writeUptimeRecord(dir: string): void {
  const files = new Map<string, string[]>();
  for (let hoursAgo = 1; hoursAgo <= 8 * 24; hoursAgo += 1) {
    const time = new Date(written - hoursAgo * HOUR).toISOString();
    const up = hoursAgo !== 72 && hoursAgo !== 73;
    const file = `${time.slice(0, 7)}.jsonl`;
    files.set(file, [...(files.get(file) ?? []), JSON.stringify({ version: 1, time, up, probes: [] })]);
  }
  // A line the page must skip (a future version of the record).
  files.set("unrelated.jsonl", ["not a record"]);
  for (const [file, lines] of files) writeFileSync(path.join(dir, file), `${lines.join("\n")}\n`);
}

beforeAll(async () => {
  recordDir = mkdtempSync(path.join(tmpdir(), "slipway-uptime-record-"));
  writeUptimeRecord(recordDir);
  const base = { DATABASE_URL: inject("databaseUrl") };
  const dir = inject("standaloneDir");
  // Nothing listens there: Prometheus "is down", and the page falls back to the record.
  const downPrometheus = `http://127.0.0.1:${await freePort()}`;
  if (!skip)
    prometheus = await startPrometheus({
      targets: [],
      metricsToken: "unused-token-0123456789",
      backfill: readyHistory(),
    });
  [fromPrometheus, fromRecord, withoutHistory] = await Promise.all([
    prometheus
      ? startStandaloneServer({ dir, env: { ...base, PROMETHEUS_URL: prometheus.url }, timeoutMs: 90_000 })
      : undefined,
    startStandaloneServer({
      dir,
      env: { ...base, PROMETHEUS_URL: downPrometheus, UPTIME_RECORD_URL: pathToFileURL(recordDir).href + "/" },
      timeoutMs: 90_000,
    }),
    startStandaloneServer({ dir, env: base, timeoutMs: 90_000 }),
  ]);
});

afterAll(async () => {
  await Promise.all([fromPrometheus?.stop(), fromRecord?.stop(), withoutHistory?.stop(), prometheus?.stop()]);
  rmSync(recordDir, { recursive: true, force: true });
});

interface ShownHistory {
  source: string | undefined;
  uptime: Record<string, string>;
  incidents: { start: string | undefined; end: string | undefined }[];
  text: string;
}

async function statusPage(server: StandaloneServer): Promise<ShownHistory> {
  const response = await fetch(`${server.url}/status`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const uptime = Object.fromEntries(
    [...html.matchAll(/<tr data-testid="uptime-window"><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((match) => [
      match[1],
      match[2],
    ]),
  );
  const incidents = [...html.matchAll(/<li data-testid="incident">(.*?)<\/li>/g)].map((match) => {
    const times = [...match[1]!.matchAll(/<time dateTime="([^"]+)"/g)].map((time) => time[1]);
    return { start: times[0], end: times[1] };
  });
  return {
    source: /data-testid="status-history" data-source="([^"]+)"/.exec(html)?.[1],
    uptime,
    incidents,
    text: html.replace(/<[^>]+>/g, " "),
  };
}

describe.skipIf(skip)("/status with Prometheus", () => {
  it("shows the share of Prometheus's observations that saw the app ready, and the outage", async () => {
    const shown = await statusPage(fromPrometheus!);
    expect(shown.source).toBe("prometheus");
    // 30 of 1 440 minutes down in the last 24 h (± one 5-minute step at each edge of the outage).
    const daily = Number.parseFloat(shown.uptime["24 hours"] ?? "");
    expect(daily).toBeGreaterThanOrEqual(((1440 - 40) / 1440) * 100);
    expect(daily).toBeLessThanOrEqual(((1440 - 20) / 1440) * 100);
    expect(shown.incidents).toHaveLength(1);
    const incident = shown.incidents[0]!;
    expect(Math.abs(Date.parse(incident.start!) - outageStart)).toBeLessThanOrEqual(10 * MINUTE);
    expect(Math.abs(Date.parse(incident.end!) - outageEnd)).toBeLessThanOrEqual(10 * MINUTE);
    // Still the current state too.
    expect(shown.text).toContain("Operational");
  });
});

describe("/status without Prometheus answering", () => {
  it("reads the uptime workflow's record instead", async () => {
    const shown = await statusPage(fromRecord);
    expect(shown.source).toBe("uptime-record");
    // 23 checks in the last 24 h, all up; 167 in 7 days and 192 in 30 (all 8 days), 2 down.
    expect(shown.uptime).toEqual({
      "24 hours": "100 %",
      "7 days": `${(Math.floor((165 / 167) * 100_000) / 1000).toFixed(3)} %`,
      "30 days": `${(Math.floor((190 / 192) * 100_000) / 1000).toFixed(3)} %`,
    });
    expect(shown.incidents).toEqual([
      { start: new Date(written - 73 * HOUR).toISOString(), end: new Date(written - 71 * HOUR).toISOString() },
    ]);
  });
});

describe("/status without a history source", () => {
  it("shows the current state only, and says so", async () => {
    const shown = await statusPage(withoutHistory);
    expect(shown.source).toBe("none");
    expect(shown.uptime).toEqual({});
    expect(shown.text).toContain("this page shows the current state only");
    expect(shown.text).toContain("Operational");
  });
});
