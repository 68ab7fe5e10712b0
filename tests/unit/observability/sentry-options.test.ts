import { quietPathPrefixes } from "@/lib/http/routes";
import { routes } from "@/routes";
import { describe, expect, it } from "vitest";
import { releaseOf } from "@/lib/env/load";
import {
  classifyEvent,
  commonInitOptions,
  SEVERITY_LEVELS,
  sentrySettings,
  severityOf,
} from "@/lib/observability/sentry-options";

const release = "slipway@abc1234";

describe("sentrySettings", () => {
  it("is off without a DSN", () => {
    expect(
      sentrySettings({ dsn: undefined, environment: undefined, nodeEnv: "production", release }).dsn,
    ).toBeUndefined();
  });

  it("uses production defaults: errors 1.0, traces 0.1, replays off", () => {
    const settings = sentrySettings({
      dsn: "https://k@o1.ingest.sentry.io/2",
      environment: undefined,
      nodeEnv: "production",
      release,
    });
    expect(settings).toMatchObject({
      errorSampleRate: 1,
      tracesSampleRate: 0.1,
      replaysSessionSampleRate: 0,
      replaysOnErrorSampleRate: 0,
      environment: "production",
    });
  });

  it("takes environment and rates from config", () => {
    const settings = sentrySettings({
      dsn: "https://k@h/2",
      environment: "staging",
      nodeEnv: "production",
      release,
      tracesSampleRate: 0.5,
      errorSampleRate: 0.9,
    });
    expect(settings).toMatchObject({ environment: "staging", tracesSampleRate: 0.5, errorSampleRate: 0.9 });
  });

  it("names the release after the commit, else the version", () => {
    expect(releaseOf("1.2.3", "abc1234").name).toBe("slipway@abc1234");
    expect(releaseOf("1.2.3", undefined).name).toBe("slipway@1.2.3");
  });
});

describe("commonInitOptions", () => {
  const settings = sentrySettings({
    dsn: "https://k@h/2",
    environment: "test",
    nodeEnv: "production",
    release,
    tracesSampleRate: 0.25,
  });
  const options = commonInitOptions(settings, () => ["s3cr3t-value-123"], "server", quietPathPrefixes(routes));
  const sample = (name: string, attributes: Record<string, unknown> = {}) =>
    options.tracesSampler({ name, attributes, inheritOrSampleWith: (rate) => rate });

  it("never sends default PII", () => {
    expect(options.sendDefaultPii).toBe(false);
  });

  it("does not sample probes, metrics or static assets", () => {
    expect(sample("GET /health/live")).toBe(0);
    expect(sample("GET", { "http.target": "/api/metrics?x=1" })).toBe(0);
    expect(sample("GET", { "url.path": "/_next/static/chunks/main.js" })).toBe(0);
  });

  it("samples other requests at the configured rate", () => {
    expect(sample("GET /api/v1/projects")).toBe(0.25);
  });

  it("ignores probe spans even when a trace starts elsewhere", () => {
    const ignored = (name: string) => options.ignoreSpans.some((pattern) => pattern.test(name));
    expect(ignored("GET /health/ready")).toBe(true);
    expect(ignored("GET /api/metrics")).toBe(true);
    expect(ignored("GET /api/v1/projects")).toBe(false);
  });

  it("scrubs span attributes", () => {
    const span = options.beforeSendSpan({
      name: "GET /api/v1/projects",
      attributes: {
        "url.full": "http://h/x?token=s3cr3t-value-123",
        "http.request.header.cookie": "a=b",
        "http.response.status_code": 200,
      },
    });
    expect(JSON.stringify(span)).not.toContain("s3cr3t-value-123");
    expect(span.attributes?.["http.request.header.cookie"]).toBe("[redacted]");
    expect(span.attributes?.["http.response.status_code"]).toBe(200);
  });
});

describe("severity", () => {
  const server = { runtime: "server" as const, messages: [] as string[] };

  it("pages at once (P0, fatal) for a tenant-isolation refusal and for an auth failure", () => {
    expect(
      severityOf({
        ...server,
        method: "GET",
        messages: ['new row violates row-level security policy for table "projects"'],
      }),
    ).toBe("P0");
    expect(severityOf({ ...server, method: "GET", area: "auth" })).toBe("P0");
    expect(SEVERITY_LEVELS.P0).toBe("fatal");
  });

  it("is P1 for an unexpected error in a write, P2 in a read", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) expect(severityOf({ ...server, method })).toBe("P1");
    expect(severityOf({ ...server, method: "GET" })).toBe("P2");
  });

  it("is P2 for a dependency outage, even during sign-in (the outage alert pages)", () => {
    expect(severityOf({ ...server, method: "POST", area: "auth", level: "warning" })).toBe("P2");
  });

  it("is P3 for a browser error", () => {
    expect(severityOf({ runtime: "browser", messages: ["boom"] })).toBe("P3");
  });

  it("tags the event and sends it at the severity's level", () => {
    const event = classifyEvent(
      { level: "error", exception: { values: [{ value: "x" }] } },
      { runtime: "server", method: "PATCH" },
    );
    expect(event).toMatchObject({ tags: { severity: "P1" }, level: "error" });
  });
});
