import "server-only";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/logger";
import { singleton } from "@/lib/singleton";
import { cachedCheck } from "./cache";
import {
  HISTORY_WINDOWS,
  NO_HISTORY,
  observationOfRecordLine,
  recordMonthsFor,
  summarizeHistory,
  type Observation,
  type StatusHistory,
} from "./history";

/**
 * Where /status reads its history: Prometheus when PROMETHEUS_URL is set (the monitoring stack),
 * else the uptime workflow's record (UPTIME_RECORD_URL), else nothing (the page then shows the
 * current state only). A source that fails gives way to the next. Cached for a minute per process,
 * one read in flight, each request bounded by a timeout: a slow source never holds the page long.
 */

const SOURCE_TIMEOUT_MS = 3000;
const CACHE_MS = 60_000;
/** One observation every 5 minutes from Prometheus: 8 640 points over 30 days. */
const PROMETHEUS_STEP_SECONDS = 300;
/**
 * Serving = some instance ready; when no instance answers the scrape at all, slipway_ready is
 * absent and `up` (0) says so (the SlipwayDown alert's basis).
 */
const SERVING_QUERY = 'max(slipway_ready{job="slipway"}) or on() max(up{job="slipway"})';

async function prometheusObservations(baseUrl: string, now: number): Promise<Observation[]> {
  const end = Math.floor(now / 1000);
  const start = end - HISTORY_WINDOWS.at(-1)!.ms / 1000;
  const url = new URL("api/v1/query_range", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  url.search = new URLSearchParams({
    query: SERVING_QUERY,
    start: String(start),
    end: String(end),
    step: String(PROMETHEUS_STEP_SECONDS),
  }).toString();
  const response = await fetch(url, { signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`Prometheus answered ${response.status}`);
  const body = (await response.json()) as {
    status?: string;
    data?: { result?: { values?: [number, string][] }[] };
  };
  if (body.status !== "success") throw new Error("Prometheus did not answer the query");
  return (body.data?.result ?? []).flatMap((series) =>
    (series.values ?? []).map(([time, value]) => ({ time: time * 1000, up: Number(value) >= 1 })),
  );
}

async function readRecordFile(url: URL): Promise<string> {
  if (url.protocol === "file:") {
    try {
      return await readFile(fileURLToPath(url), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
      throw error;
    }
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS) });
  if (response.status === 404) return "";
  if (!response.ok) throw new Error(`the uptime record answered ${response.status}`);
  return response.text();
}

async function recordObservations(baseUrl: string, now: number): Promise<Observation[]> {
  const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const months = await Promise.all(recordMonthsFor(now).map((file) => readRecordFile(new URL(file, base))));
  return months.flatMap((text) => text.split("\n").flatMap((line) => observationOfRecordLine(line) ?? []));
}

async function readHistory(): Promise<StatusHistory> {
  const env = getEnv();
  const now = Date.now();
  const sources = [
    env.PROMETHEUS_URL && { name: "prometheus" as const, read: () => prometheusObservations(env.PROMETHEUS_URL!, now) },
    env.UPTIME_RECORD_URL && {
      name: "uptime-record" as const,
      read: () => recordObservations(env.UPTIME_RECORD_URL!, now),
    },
  ].filter((source) => !!source);
  for (const source of sources) {
    try {
      return summarizeHistory(await source.read(), now, source.name);
    } catch (error) {
      getLogger().warn(
        { component: "status-history", source: source.name, reason: (error as Error).message },
        "the status page's history source did not answer; trying the next",
      );
    }
  }
  return NO_HISTORY;
}

const history = singleton("health.status-history", () => cachedCheck(readHistory, () => CACHE_MS));

/** The status page's uptime and incidents (cached for a minute). */
export function getStatusHistory(): Promise<StatusHistory> {
  return history.get();
}
