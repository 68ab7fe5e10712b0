/**
 * The status page's history: uptime over the last 24 h, 7 d and 30 d and the recent incidents, from
 * a series of up/down observations. Pure: the sources (./history-sources.ts) turn Prometheus's
 * samples or the uptime workflow's record into observations; this decides what they say.
 */

export interface Observation {
  /** Unix milliseconds. */
  time: number;
  up: boolean;
}

export const HISTORY_WINDOWS = [
  { name: "24 hours", ms: 24 * 3600_000 },
  { name: "7 days", ms: 7 * 24 * 3600_000 },
  { name: "30 days", ms: 30 * 24 * 3600_000 },
] as const;

export interface Incident {
  /** The first observation that saw the app down (ISO 8601). */
  start: string;
  /** The first observation that saw it up again; null while it lasts. */
  end: string | null;
}

export interface StatusHistory {
  /** Where the history came from; "none" when neither Prometheus nor the uptime record answered. */
  source: "prometheus" | "uptime-record" | "none";
  /** The share of observations that saw the app up, per window; null without an observation in it. */
  uptime: { window: (typeof HISTORY_WINDOWS)[number]["name"]; ratio: number | null }[];
  /** Newest first, at most MAX_INCIDENTS, within the longest window. */
  incidents: Incident[];
}

const MAX_INCIDENTS = 10;

export const NO_HISTORY: StatusHistory = {
  source: "none",
  uptime: HISTORY_WINDOWS.map((window) => ({ window: window.name, ratio: null })),
  incidents: [],
};

/** What `observations` (any order) say at `now`: uptime per window and the incidents (runs of down observations). */
export function summarizeHistory(
  observations: readonly Observation[],
  now: number,
  source: Exclude<StatusHistory["source"], "none">,
): StatusHistory {
  const longest = HISTORY_WINDOWS.at(-1)!.ms;
  const recent = observations.filter((observation) => observation.time <= now && observation.time > now - longest);
  recent.sort((a, b) => a.time - b.time);
  const uptime = HISTORY_WINDOWS.map((window) => {
    const inWindow = recent.filter((observation) => observation.time > now - window.ms);
    const up = inWindow.filter((observation) => observation.up).length;
    return { window: window.name, ratio: inWindow.length > 0 ? up / inWindow.length : null };
  });
  const incidents: Incident[] = [];
  let open: Incident | undefined;
  for (const observation of recent) {
    if (!observation.up && !open) {
      open = { start: new Date(observation.time).toISOString(), end: null };
      incidents.push(open);
    } else if (observation.up && open) {
      open.end = new Date(observation.time).toISOString();
      open = undefined;
    }
  }
  return { source, uptime, incidents: incidents.reverse().slice(0, MAX_INCIDENTS) };
}

/**
 * One line of the uptime record (docs/observability.md#the-uptime-record) as an observation, or
 * undefined for a line that is not a version-1 record.
 */
export function observationOfRecordLine(line: string): Observation | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!record || typeof record !== "object") return undefined;
  const { version, time, up } = record as { version?: unknown; time?: unknown; up?: unknown };
  if (version !== 1 || typeof time !== "string" || typeof up !== "boolean") return undefined;
  const parsed = Date.parse(time);
  return Number.isFinite(parsed) ? { time: parsed, up } : undefined;
}

/** The record files (records/YYYY-MM.jsonl) that hold the longest window ending at `now`. */
export function recordMonthsFor(now: number): string[] {
  const months: string[] = [];
  const start = new Date(now - HISTORY_WINDOWS.at(-1)!.ms);
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  while (cursor.getTime() <= now) {
    months.push(`${cursor.getUTCFullYear()}-${String(cursor.getUTCMonth() + 1).padStart(2, "0")}.jsonl`);
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}
