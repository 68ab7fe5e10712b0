/**
 * Resident memory over a run: samples taken while the load runs, summarised as the mean of the
 * first and of the last quarter of the samples (growth between them) and the maximum.
 */
export interface RssSummary {
  samples: number;
  startMb: number;
  firstQuarterMb: number;
  lastQuarterMb: number;
  maxMb: number;
  /** lastQuarter / firstQuarter - 1. */
  growth: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Pure: the summary of samples in MiB, in the order they were taken (at least 4). */
export function summarizeRss(samples: number[]): RssSummary {
  if (samples.length < 4) throw new Error(`need at least 4 RSS samples, got ${samples.length}`);
  const quarter = Math.floor(samples.length / 4);
  const first = mean(samples.slice(0, quarter));
  const last = mean(samples.slice(-quarter));
  return {
    samples: samples.length,
    startMb: round(samples[0]!),
    firstQuarterMb: round(first),
    lastQuarterMb: round(last),
    maxMb: round(Math.max(...samples)),
    growth: round(last / first - 1, 3),
  };
}

/** Samples `read()` every `intervalMs` until the returned function is called; it returns the samples. */
export function sampleEvery(intervalMs: number, read: () => number): () => number[] {
  const samples = [read()];
  const timer = setInterval(() => {
    try {
      samples.push(read());
    } catch {
      // The process is gone: the caller asks the server why (RunningServer.exitReason).
    }
  }, intervalMs);
  return () => {
    clearInterval(timer);
    try {
      samples.push(read());
    } catch {
      // Gone before the end: the samples until then are what there is.
    }
    return samples;
  };
}
