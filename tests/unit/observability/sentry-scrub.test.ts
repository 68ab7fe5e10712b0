import { describe, expect, it } from "vitest";
import { quietPathPrefixes } from "@/lib/http/routes";
import { droppedTransactions, scrubEvent, scrubText } from "@/lib/observability/sentry-scrub";
import { routes } from "@/routes";

const isIgnoredTransaction = droppedTransactions(quietPathPrefixes(routes)).isIgnored;

const SECRET = "planted-secret-value-4f9c2a7d";

describe("scrubEvent", () => {
  const event = {
    message: `failed with ${SECRET} for jane.doe@example.com`,
    request: {
      url: "https://app.example.com/api/v1/projects?token=abc",
      method: "POST",
      cookies: { slipway_session: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl" },
      headers: {
        authorization: "Bearer sk_live_abcdef123456",
        cookie: "slipway_session=abc",
        "x-api-key": "key-123",
        "x-custom": `value ${SECRET}`,
        "user-agent": "vitest",
      },
      data: { password: "hunter2", note: SECRET },
    },
    user: { id: "user-1", email: "jane.doe@example.com", ip_address: "10.0.0.1" },
    extra: { databaseUrl: "postgres://app:pw@db:5432/app", nested: { token: "t" } },
    exception: { values: [{ type: "Error", value: `boom ${SECRET}` }] },
  };
  const scrubbed = scrubEvent(event, [SECRET]);
  const text = JSON.stringify(scrubbed);

  it("removes cookies, authorization and token headers", () => {
    expect(scrubbed.request?.cookies).toBeUndefined();
    expect(scrubbed.request?.headers).toEqual({ "x-custom": "value [redacted]", "user-agent": "vitest" });
  });

  it("never lets a configured secret value through", () => {
    expect(text).not.toContain(SECRET);
  });

  it("removes e-mail addresses and request bodies", () => {
    expect(text).not.toContain("jane.doe@example.com");
    expect(scrubbed.request?.data).toBe("[redacted]");
  });

  it("keeps only the internal user id", () => {
    expect(scrubbed.user).toEqual({ id: "user-1" });
  });

  it("censors secret-looking keys and connection-string passwords", () => {
    expect(text).not.toContain("pw@db");
    expect(text).not.toContain("sk_live_abcdef123456");
    expect((scrubbed.extra as { nested: { token: string } }).nested.token).toBe("[redacted]");
  });

  it("keeps the exception type and method", () => {
    expect((scrubbed.exception as { values: { type: string }[] }).values[0]!.type).toBe("Error");
    expect(scrubbed.request?.method).toBe("POST");
  });

  it("does not modify the original event", () => {
    expect(event.request.headers.authorization).toBe("Bearer sk_live_abcdef123456");
  });
});

describe("scrubText", () => {
  it("scrubs bearer tokens, JWTs and e-mail addresses", () => {
    expect(scrubText("Bearer abc.def mail a@b.io")).toBe("Bearer [redacted] mail [redacted]");
  });
});

describe("transactions of the route table's quiet classes", () => {
  it.each([
    "GET /health/live",
    "GET /health/ready",
    "GET /api/health",
    "GET /api/metrics",
    "POST /monitoring",
    "GET /_next/static/chunks/a.js",
    "/favicon.ico",
  ])("drops %s", (name) => expect(isIgnoredTransaction(name)).toBe(true));
  it.each(["GET /api/v1/projects", "GET /", "/projects/[id]", "GET /healthy"])("keeps %s", (name) =>
    expect(isIgnoredTransaction(name)).toBe(false),
  );
});
