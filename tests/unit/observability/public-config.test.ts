import { describe, expect, it } from "vitest";
import { analyticsConfig, publicConfig, serializePublicConfig } from "@/lib/observability/public-config";

const production = { nodeEnv: "production", release: "slipway@abc", authMode: "clerk" as const };

describe("public config", () => {
  it("has no Sentry and no analytics when nothing is configured", () => {
    expect(publicConfig({}, production)).toEqual({ sentry: null, analytics: null, demoMode: false });
  });

  it("says when production runs the open local auth mode (the demo banner)", () => {
    expect(publicConfig({}, { ...production, authMode: "local" }).demoMode).toBe(true);
    expect(publicConfig({}, { ...production, nodeEnv: "development", authMode: "local" }).demoMode).toBe(false);
  });

  it("hands the browser DSN, rates and the tunnel path", () => {
    const config = publicConfig(
      { NEXT_PUBLIC_SENTRY_DSN: "https://k@h/1", SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE: 0.5 },
      production,
    );
    expect(config.sentry).toMatchObject({
      dsn: "https://k@h/1",
      tunnel: "/monitoring",
      release: "slipway@abc",
      replaysOnErrorSampleRate: 0.5,
    });
  });

  it("loads analytics only with the provider's site setting", () => {
    expect(analyticsConfig({ NEXT_PUBLIC_ANALYTICS_PROVIDER: "plausible" })).toBeNull();
    expect(
      analyticsConfig({ NEXT_PUBLIC_ANALYTICS_PROVIDER: "plausible", NEXT_PUBLIC_ANALYTICS_DOMAIN: "app.example.com" }),
    ).toEqual({
      provider: "plausible",
      domain: "app.example.com",
      scriptUrl: "https://plausible.io/js/script.js",
    });
    expect(
      analyticsConfig({
        NEXT_PUBLIC_ANALYTICS_PROVIDER: "umami",
        NEXT_PUBLIC_ANALYTICS_WEBSITE_ID: "id-1",
        NEXT_PUBLIC_ANALYTICS_SCRIPT_URL: "https://stats.example.com/u.js",
      }),
    ).toEqual({ provider: "umami", websiteId: "id-1", scriptUrl: "https://stats.example.com/u.js" });
  });

  it("serializes safely inside a script element", () => {
    const text = serializePublicConfig({
      demoMode: false,
      sentry: null,
      analytics: { provider: "plausible", scriptUrl: "</script><script>", domain: "x" },
    });
    expect(text).not.toContain("</script>");
    expect(JSON.parse(text).analytics.scriptUrl).toBe("</script><script>");
  });
});
