import { describe, expect, it } from "vitest";
import { isValidRequestId, resolveRequestId, serverTiming } from "@/lib/observability/request-context";
import { createRouteMatcher, statusClass, UNMATCHED_ROUTE } from "@/lib/observability/route-pattern";
import { envelopeTarget, parseDsn } from "@/lib/observability/browser-endpoints";
import { completionLevel } from "@/lib/observability/http-requests";
import { isAuthorizedScrape } from "@/lib/observability/metrics";

describe("request ids", () => {
  it("honours an incoming UUID (Heroku, Render, Caddy) or 32 hex digits (nginx)", () => {
    expect(resolveRequestId("0b9c2f1e-5d7a-4c3b-9e8f-1a2b3c4d5e6f", () => "generated")).toBe(
      "0b9c2f1e-5d7a-4c3b-9e8f-1a2b3c4d5e6f",
    );
    expect(isValidRequestId("0123456789abcdef0123456789ABCDEF")).toBe(true);
  });

  it.each([
    undefined,
    "",
    "short",
    "req-12345678",
    "has spaces in it",
    "x".repeat(129),
    "<script>alert(1)</script>",
    "0b9c2f1e-5d7a-4c3b-9e8f-1a2b3c4d5e6f\n",
    "admin-request-of-another-user",
  ])("replaces a client-chosen %j with a new one", (incoming) =>
    expect(resolveRequestId(incoming, () => "generated")).toBe("generated"),
  );
});

describe("route patterns", () => {
  const match = createRouteMatcher([
    "/",
    "/api/v1/projects",
    "/api/v1/projects/[id]",
    "/robots.txt",
    "/sign-in/[[...sign-in]]",
    "/docs/[...slug]",
  ]);

  it("maps ids to the dynamic pattern, never the raw URL", () => {
    expect(match("/api/v1/projects/7c1e2d")).toBe("/api/v1/projects/[id]");
  });

  it("prefers static routes", () => expect(match("/api/v1/projects")).toBe("/api/v1/projects"));
  it("buckets static assets", () => expect(match("/_next/static/chunks/x.js")).toBe("/_next/static"));
  it("names public files", () => expect(match("/robots.txt")).toBe("/robots.txt"));
  it("buckets everything else", () => expect(match("/wp-admin/setup.php")).toBe(UNMATCHED_ROUTE));

  it("matches optional catch-all and catch-all segments", () => {
    expect(match("/sign-in")).toBe("/sign-in/[[...sign-in]]");
    expect(match("/sign-in/factor-one/x")).toBe("/sign-in/[[...sign-in]]");
    expect(match("/docs")).toBe(UNMATCHED_ROUTE);
    expect(match("/docs/a/b")).toBe("/docs/[...slug]");
  });

  it("ignores a trailing slash", () => expect(match("/api/v1/projects/")).toBe("/api/v1/projects"));

  it("without templates (development), turns ids into [id]", () => {
    expect(createRouteMatcher(undefined)("/projects/0b9c2f1e-5d7a-4c3b-9e8f-1a2b3c4d5e6f")).toBe("/projects/[id]");
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
    [499, false, "info"],
  ] as const)("status %i (quiet route: %s) logs at %s", (status, quiet, level) => {
    expect(completionLevel(status, quiet)).toBe(level);
  });
});
