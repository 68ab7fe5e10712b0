import { describe, expect, it } from "vitest";
import { actionForSignal, DUPLICATE_SIGNAL_WINDOW_MS, exitCodeFor, remainingMs } from "@/lib/shutdown/plan";

describe("actionForSignal", () => {
  it("starts the shutdown on the first signal", () => {
    expect(actionForSignal(undefined, 5000)).toBe("start");
  });

  it("ignores the same signal delivered twice at once (npm forwarding Ctrl-C)", () => {
    expect(actionForSignal(5000, 5000 + DUPLICATE_SIGNAL_WINDOW_MS - 1)).toBe("ignore-duplicate");
  });

  it("exits at once on a second signal after the duplicate window", () => {
    expect(actionForSignal(5000, 5000 + DUPLICATE_SIGNAL_WINDOW_MS)).toBe("exit-now");
  });
});

describe("exitCodeFor", () => {
  it("is 0 when every request finished and cleanup succeeded", () => {
    expect(exitCodeFor({ requestsCut: false, cleanupFailed: false })).toBe(0);
  });

  it("is 1 when the timeout cut requests", () => {
    expect(exitCodeFor({ requestsCut: true, cleanupFailed: false })).toBe(1);
  });

  it("is 1 when a cleanup step failed", () => {
    expect(exitCodeFor({ requestsCut: false, cleanupFailed: true })).toBe(1);
  });
});

describe("remainingMs", () => {
  it("is what is left of the budget", () => {
    expect(remainingMs(1000, 10_000, 4000)).toBe(7000);
  });

  it("never drops below the floor", () => {
    expect(remainingMs(1000, 10_000, 20_000, 2000)).toBe(2000);
  });
});
