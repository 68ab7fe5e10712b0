/**
 * A check result shared by every caller for `ttlMs`, and one in-flight run shared by concurrent
 * callers (single flight): however hard the endpoint is polled, the check runs at most once per
 * interval. The clock is injectable for tests.
 */
export interface CachedCheck<T> {
  get(): Promise<T>;
}

export function cachedCheck<T>(
  run: () => Promise<T>,
  ttlMs: () => number,
  now: () => number = Date.now,
): CachedCheck<T> {
  let cached: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return {
    get() {
      if (cached && now() - cached.at < ttlMs()) return Promise.resolve(cached.value);
      inFlight ??= run()
        .then((value) => {
          cached = { value, at: now() };
          return value;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}
