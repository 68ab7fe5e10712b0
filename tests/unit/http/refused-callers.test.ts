import { describe, expect, it } from "vitest";
import { callerCredentials, RefusedCallers } from "@/lib/http/refused-callers";

const decision = { policy: "api-read", limit: 600, windowSeconds: 60, resetSeconds: 30 };
const headers = { cookie: "slipway_session=abc", authorization: undefined };
const keyOf = (method: string, requestHeaders: Record<string, string | undefined>, clientIp: string) =>
  RefusedCallers.keyOf(method, callerCredentials(requestHeaders), clientIp);

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("callers the API's limits refused", () => {
  it("are refused again with the same 429 shape, their reset counted down, until it passes", () => {
    const time = clock();
    const refused = new RefusedCallers(time.now);
    const key = keyOf("GET", headers, "198.51.100.1");
    expect(refused.refusal(key)).toBeUndefined();

    refused.remember(key, decision);
    expect(refused.refusal(key)).toEqual({
      status: 429,
      code: "rate_limited",
      message: "Too many requests. Try again in 30 seconds.",
      headers: {
        "RateLimit-Policy": '"api-read";q=600;w=60',
        RateLimit: '"api-read";r=0;t=30',
        "Retry-After": "30",
      },
      held: true,
    });

    time.advance(20_500);
    expect(refused.refusal(key)?.headers?.["Retry-After"]).toBe("10");
    time.advance(9_500);
    expect(refused.refusal(key)).toBeUndefined();
  });

  it("answer only a request identical in credentials, address and reading or writing", () => {
    const refused = new RefusedCallers();
    refused.remember(keyOf("GET", headers, "198.51.100.1"), decision);

    expect(refused.refusal(keyOf("HEAD", headers, "198.51.100.1"))).toBeDefined();
    for (const other of [
      keyOf("POST", headers, "198.51.100.1"),
      keyOf("GET", headers, "198.51.100.2"),
      keyOf("GET", { cookie: "slipway_session=abd" }, "198.51.100.1"),
      keyOf("GET", { ...headers, authorization: "Bearer x" }, "198.51.100.1"),
      keyOf("GET", {}, "198.51.100.1"),
    ]) {
      expect(refused.refusal(other)).toBeUndefined();
    }
  });

  it("are told apart by a digest of their credentials, none when a request sends neither", () => {
    expect(callerCredentials({})).toBeUndefined();
    expect(callerCredentials({ cookie: "a=1" })).toMatch(/^[\w-]{43}$/);
    expect(callerCredentials({ cookie: "a=1" })).not.toBe(callerCredentials({ authorization: "a=1" }));
  });

  it("keep nothing for a decision that has already reset", () => {
    const refused = new RefusedCallers();
    const key = keyOf("GET", headers, "198.51.100.1");
    refused.remember(key, { ...decision, resetSeconds: 0 });
    expect(refused.refusal(key)).toBeUndefined();
  });
});
