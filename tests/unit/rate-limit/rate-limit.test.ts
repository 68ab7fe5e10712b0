import { describe, expect, it } from "vitest";
import { parseServerEnv } from "@/lib/env/load";
import { clientIpOf } from "@/lib/observability/request-context";
import { limitOf, rateLimitHeaders } from "@/lib/rate-limit";

const env = (extra: Record<string, string> = {}) =>
  parseServerEnv({ DATABASE_URL: "postgres://app:pw@db.internal:5432/slipway", ...extra });

describe("rate-limit policies", () => {
  it("have defaults, and each can be configured as POINTS/SECONDS", () => {
    expect(limitOf("sign-in", env())).toEqual({ points: 10, seconds: 60 });
    expect(limitOf("sign-in", env({ RATE_LIMIT_SIGN_IN: "3/10" }))).toEqual({ points: 3, seconds: 10 });
  });

  it("refuse a malformed limit at start, naming the variable", () => {
    expect(() => env({ RATE_LIMIT_API_WRITE: "fast" })).toThrow(/RATE_LIMIT_API_WRITE: must be POINTS\/SECONDS/);
    expect(() => env({ RATE_LIMIT_API_WRITE: "0/60" })).toThrow(/RATE_LIMIT_API_WRITE/);
  });
});

describe("rate-limit headers", () => {
  const decision = { policy: "sign-in" as const, limit: 10, windowSeconds: 60, remaining: 0, resetSeconds: 42 };

  it("announce the policy and what is left (IETF RateLimit-Policy and RateLimit)", () => {
    expect(rateLimitHeaders({ ...decision, allowed: true, remaining: 7 })).toEqual({
      "RateLimit-Policy": '"sign-in";q=10;w=60',
      RateLimit: '"sign-in";r=7;t=42',
    });
  });

  it("add Retry-After when refused", () => {
    expect(rateLimitHeaders({ ...decision, allowed: false })["Retry-After"]).toBe("42");
  });
});

describe("the client's address", () => {
  it("is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    expect(clientIpOf("6.6.6.6", "203.0.113.9", 0)).toBe("203.0.113.9");
  });

  it("is the address the trusted proxy saw: entries further left are the client's own claims", () => {
    expect(clientIpOf("6.6.6.6, 198.51.100.7", "10.0.0.2", 1)).toBe("198.51.100.7");
    expect(clientIpOf("6.6.6.6, 198.51.100.7, 10.0.0.3", "10.0.0.2", 2)).toBe("198.51.100.7");
  });

  it("falls back to the leftmost address when fewer proxies answered than are trusted", () => {
    expect(clientIpOf(undefined, "::ffff:127.0.0.1", 1)).toBe("127.0.0.1");
  });

  it("is the platform's own client-address header when it holds an address (CLIENT_IP_HEADER)", () => {
    expect(clientIpOf("6.6.6.6, 66.241.124.1", "172.16.0.2", 0, "198.51.100.7")).toBe("198.51.100.7");
    expect(clientIpOf(undefined, "172.16.0.2", 0, ["2001:db8::7", "6.6.6.6"])).toBe("2001:db8::7");
  });

  it("ignores a platform header that is missing or not an address, and counts hops instead", () => {
    expect(clientIpOf("6.6.6.6, 198.51.100.7", "10.0.0.2", 1, "not an address")).toBe("198.51.100.7");
    expect(clientIpOf("6.6.6.6, 198.51.100.7", "10.0.0.2", 1, undefined)).toBe("198.51.100.7");
  });
});
