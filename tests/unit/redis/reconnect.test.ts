import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "@/lib/redis";

describe("reconnectDelayMs", () => {
  it("backs off exponentially from 100 ms", () => {
    expect([1, 2, 3, 4].map(reconnectDelayMs)).toEqual([100, 200, 400, 800]);
  });

  it("is capped at 2 s so a returning Redis is picked up quickly", () => {
    expect(reconnectDelayMs(6)).toBe(2000);
    expect(reconnectDelayMs(1000)).toBe(2000);
  });

  it("never gives up (a number, never null)", () => {
    expect(typeof reconnectDelayMs(10_000)).toBe("number");
  });
});
