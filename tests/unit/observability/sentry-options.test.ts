import { describe, expect, it } from "vitest";
import { commonInitOptions, releaseName, sentrySettings } from "@/lib/observability/sentry-options";

const release = { version: "1.2.3", commit: "abc1234" };

describe("sentrySettings", () => {
  it("is off without a DSN", () => {
    expect(sentrySettings({ dsn: undefined, environment: undefined, nodeEnv: "production", release }).dsn).toBeUndefined();
  });

  it("uses production defaults: errors 1.0, traces 0.1, replays off", () => {
    const settings = sentrySettings({ dsn: "https://k@o1.ingest.sentry.io/2", environment: undefined, nodeEnv: "production", release });
    expect(settings).toMatchObject({ errorSampleRate: 1, tracesSampleRate: 0.1, replaysSessionSampleRate: 0, replaysOnErrorSampleRate: 0, environment: "production" });
  });

  it("takes environment and rates from config", () => {
    const settings = sentrySettings({ dsn: "https://k@h/2", environment: "staging", nodeEnv: "production", release, tracesSampleRate: 0.5, errorSampleRate: 0.9 });
    expect(settings).toMatchObject({ environment: "staging", tracesSampleRate: 0.5, errorSampleRate: 0.9 });
  });

  it("names the release after the commit, else the version", () => {
    expect(releaseName(release)).toBe("slipway@abc1234");
    expect(releaseName({ version: "1.2.3", commit: undefined })).toBe("slipway@1.2.3");
  });
});

describe("commonInitOptions", () => {
  const settings = sentrySettings({ dsn: "https://k@h/2", environment: "test", nodeEnv: "production", release, tracesSampleRate: 0.25 });
  const options = commonInitOptions(settings, () => ["s3cr3t-value-123"]);
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

  it("drops health transactions and scrubs the rest", () => {
    expect(options.beforeSendTransaction({ transaction: "GET /health/ready" })).toBeNull();
    const kept = options.beforeSendTransaction({ transaction: "GET /", request: { headers: { cookie: "a=b" } } });
    expect(kept?.request?.headers).toEqual({});
  });
});
