import { describe, expect, it } from "vitest";
import { isValidRequestId, resolveRequestId, serverTiming } from "@/lib/observability/request-context";
import { createRouteMatcher, isQuietRoute, statusClass, UNMATCHED_ROUTE } from "@/lib/observability/route-pattern";
import { envelopeTarget, parseDsn } from "@/lib/observability/browser-endpoints";
import { completionLevel } from "@/lib/observability/http-server";
import { isAuthorizedScrape } from "@/lib/observability/metrics";

describe("request ids", () => {
  it("honours a valid incoming id", () => {
    expect(resolveRequestId("req-12345678", () => "generated")).toBe("req-12345678");
  });

  it.each([undefined, "", "short", "has spaces in it", "x".repeat(129), "<script>alert(1)</script>"])(
    "generates one instead of %j",
    (incoming) => expect(resolveRequestId(incoming, () => "generated")).toBe("generated"),
  );

  it("accepts UUIDs", () => expect(isValidRequestId("0b9c2f1e-5d7a-4c3b-9e8f-1a2b3c4d5e6f")).toBe(true));
});

describe("route patterns", () => {
  const match = createRouteMatcher(
    {
      staticRoutes: [
        { page: "/", regex: "^/(?:/)?$" },
        { page: "/api/v1/projects", regex: "^/api/v1/projects(?:/)?$" },
        { page: "/_not-found", regex: "^/_not\\-found(?:/)?$" },
      ],
      dynamicRoutes: [{ page: "/api/v1/projects/[id]", regex: "^/api/v1/projects/([^/]+?)(?:/)?$" }],
    },
    ["/robots.txt"],
  );

  it("maps ids to the dynamic pattern, never the raw URL", () => {
    expect(match("/api/v1/projects/7c1e2d")).toBe("/api/v1/projects/[id]");
  });

  it("prefers static routes", () => expect(match("/api/v1/projects")).toBe("/api/v1/projects"));
  it("buckets static assets", () => expect(match("/_next/static/chunks/x.js")).toBe("/_next/static"));
  it("names public files", () => expect(match("/robots.txt")).toBe("/robots.txt"));
  it("buckets everything else", () => expect(match("/wp-admin/setup.php")).toBe(UNMATCHED_ROUTE));

  it("treats probes and assets as quiet", () => {
    expect(isQuietRoute("/health/live", "/health/live")).toBe(true);
    expect(isQuietRoute("/_next/static", "/_next/static/a.js")).toBe(true);
    expect(isQuietRoute("/api/v1/projects", "/api/v1/projects")).toBe(false);
  });

  it("classes statuses", () => expect(statusClass(404)).toBe("4xx"));
});

describe("Sentry tunnel", () => {
  const dsn = "http://public@127.0.0.1:9999/1";
  const header = (value: string) => JSON.stringify({ dsn: value, sent_at: "now" });

  it("forwards envelopes for the configured DSN to its envelope endpoint", () => {
    expect(envelopeTarget(header(dsn), dsn)).toBe("http://127.0.0.1:9999/api/1/envelope/");
    expect(envelopeTarget(header("https://k@o1.ingest.sentry.io/42"), "https://k@o1.ingest.sentry.io/42")).toBe(
      "https://o1.ingest.sentry.io/api/42/envelope/",
    );
  });

  it("refuses envelopes for any other DSN (no open relay)", () => {
    expect(envelopeTarget(header("http://public@evil.example/1"), dsn)).toBeNull();
    expect(envelopeTarget(header("http://other@127.0.0.1:9999/1"), dsn)).toBeNull();
    expect(envelopeTarget("not json", dsn)).toBeNull();
  });

  it("keeps a self-hosted path prefix", () => {
    expect(parseDsn("https://k@sentry.example.com/sub/7")).toMatchObject({ pathPrefix: "/sub", projectId: "7" });
  });
});

describe("metrics token", () => {
  const token = "0123456789abcdef0123";
  it("accepts the bearer token", () => expect(isAuthorizedScrape(`Bearer ${token}`, token)).toBe(true));
  it.each([null, "", token, `Bearer ${token}x`, "Bearer wrong", `Basic ${token}`])("rejects %j", (value) =>
    expect(isAuthorizedScrape(value, token)).toBe(false),
  );
});

describe("Server-Timing", () => {
  it("reports db and total milliseconds", () => {
    expect(serverTiming({ dbMs: 12.34, startedAt: 0n }, 45_600_000n)).toBe("db;dur=12.3, total;dur=45.6");
  });
});

describe("completion log level", () => {
  it.each([
    [200, false, "info"],
    [404, false, "info"],
    [500, false, "error"],
    [503, false, "warn"],
    [200, true, "debug"],
    [503, true, "warn"],
  ] as const)("status %i (quiet route: %s) logs at %s", (status, quiet, level) => {
    expect(completionLevel(status, quiet)).toBe(level);
  });
});
