import { describe, expect, it } from "vitest";
import { cachedCheck } from "@/lib/health/cache";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("cachedCheck", () => {
  it("shares one in-flight run between concurrent callers", async () => {
    let runs = 0;
    const gate = deferred<string>();
    const check = cachedCheck(
      () => {
        runs += 1;
        return gate.promise;
      },
      () => 1000,
    );
    const callers = Array.from({ length: 50 }, () => check.get());
    gate.resolve("up");
    expect(await Promise.all(callers)).toEqual(Array(50).fill("up"));
    expect(runs).toBe(1);
  });

  it("serves the cached result until the interval has passed, then runs again", async () => {
    let runs = 0;
    let clock = 0;
    const check = cachedCheck(
      async () => ++runs,
      () => 1000,
      () => clock,
    );
    expect(await check.get()).toBe(1);
    clock = 999;
    expect(await check.get()).toBe(1);
    clock = 1000;
    expect(await check.get()).toBe(2);
  });

  it("runs every time when the interval is zero", async () => {
    let runs = 0;
    const check = cachedCheck(
      async () => ++runs,
      () => 0,
      () => 0,
    );
    await check.get();
    await check.get();
    expect(runs).toBe(2);
  });

  it("does not cache a run that threw", async () => {
    let runs = 0;
    const check = cachedCheck(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error("boom");
        return "up";
      },
      () => 1000,
    );
    await expect(check.get()).rejects.toThrow("boom");
    expect(await check.get()).toBe("up");
  });
});
