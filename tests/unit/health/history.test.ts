import { describe, expect, it } from "vitest";
import { observationOfRecordLine, recordMonthsFor, summarizeHistory, type Observation } from "@/lib/health/history";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const now = Date.parse("2026-12-06T12:00:00.000Z");

/** One observation every `stepMs` from `from` to `to` (both before now), up unless `down(time)`. */
function series(from: number, to: number, stepMs: number, down: (time: number) => boolean = () => false) {
  const observations: Observation[] = [];
  for (let time = from; time <= to; time += stepMs) observations.push({ time, up: !down(time) });
  return observations;
}

describe("summarizeHistory", () => {
  it("gives each window the share of observations that saw the app up", () => {
    // Every hour over 30 days; down for the 3 hourly checks 2 days ago and the 1 check 10 days ago.
    const twoDaysAgo = now - 2 * DAY;
    const tenDaysAgo = now - 10 * DAY;
    const observations = series(
      now - 30 * DAY + HOUR,
      now,
      HOUR,
      (time) => (time >= twoDaysAgo && time < twoDaysAgo + 3 * HOUR) || time === tenDaysAgo,
    );
    const history = summarizeHistory(observations, now, "prometheus");
    expect(history.source).toBe("prometheus");
    expect(history.uptime).toEqual([
      { window: "24 hours", ratio: 1 },
      { window: "7 days", ratio: (168 - 3) / 168 },
      { window: "30 days", ratio: (720 - 4) / 720 },
    ]);
  });

  it("lists incidents newest first, with their ends, and an ongoing one without", () => {
    const observations = series(now - 3 * DAY, now, 5 * MINUTE, (time) => {
      const sinceStart = time - (now - 3 * DAY);
      return (sinceStart >= DAY && sinceStart < DAY + 20 * MINUTE) || time >= now - 10 * MINUTE;
    });
    const history = summarizeHistory(observations, now, "uptime-record");
    expect(history.incidents).toEqual([
      { start: new Date(now - 10 * MINUTE).toISOString(), end: null },
      { start: new Date(now - 2 * DAY).toISOString(), end: new Date(now - 2 * DAY + 20 * MINUTE).toISOString() },
    ]);
  });

  it("ignores observations outside the longest window or in the future, and orders them itself", () => {
    const observations: Observation[] = [
      { time: now - MINUTE, up: true },
      { time: now - 31 * DAY, up: false },
      { time: now + HOUR, up: false },
      { time: now - 2 * MINUTE, up: false },
    ];
    const history = summarizeHistory(observations, now, "prometheus");
    expect(history.uptime.map((window) => window.ratio)).toEqual([0.5, 0.5, 0.5]);
    expect(history.incidents).toEqual([
      { start: new Date(now - 2 * MINUTE).toISOString(), end: new Date(now - MINUTE).toISOString() },
    ]);
  });

  it("says 'no data' (null) for a window without observations", () => {
    const history = summarizeHistory([{ time: now - 5 * DAY, up: true }], now, "uptime-record");
    expect(history.uptime.map((window) => window.ratio)).toEqual([null, 1, 1]);
  });

  it("keeps at most 10 incidents", () => {
    const observations = series(
      now - DAY,
      now,
      5 * MINUTE,
      (time) => Math.floor((now - time) / (5 * MINUTE)) % 2 === 1,
    );
    expect(summarizeHistory(observations, now, "prometheus").incidents).toHaveLength(10);
  });
});

describe("observationOfRecordLine", () => {
  it("reads a version-1 record of the uptime workflow", () => {
    const line = JSON.stringify({ version: 1, time: "2026-12-06T10:05:00.123Z", up: false, probes: [] });
    expect(observationOfRecordLine(line)).toEqual({ time: Date.parse("2026-12-06T10:05:00.123Z"), up: false });
  });

  it.each([
    ["an empty line", ""],
    ["not JSON", "uptime up"],
    ["another version", JSON.stringify({ version: 2, time: "2026-12-06T10:05:00Z", up: true })],
    ["a time that is not one", JSON.stringify({ version: 1, time: "yesterday", up: true })],
    ["no up", JSON.stringify({ version: 1, time: "2026-12-06T10:05:00Z" })],
    ["null", "null"],
  ])("skips %s", (_, line) => {
    expect(observationOfRecordLine(line)).toBeUndefined();
  });
});

describe("recordMonthsFor", () => {
  it("names each month file the last 30 days touch", () => {
    expect(recordMonthsFor(now)).toEqual(["2026-11.jsonl", "2026-12.jsonl"]);
    expect(recordMonthsFor(Date.parse("2027-01-15T00:00:00Z"))).toEqual(["2026-12.jsonl", "2027-01.jsonl"]);
    expect(recordMonthsFor(Date.parse("2026-03-01T00:00:00Z"))).toEqual([
      "2026-01.jsonl",
      "2026-02.jsonl",
      "2026-03.jsonl",
    ]);
  });
});
