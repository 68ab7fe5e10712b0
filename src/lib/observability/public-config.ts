/**
 * What the browser needs to know, decided on the server AT RUNTIME and handed over by the root
 * layout as `<script id="slipway-public-config" type="application/json">`: one build deploys
 * anywhere, and NEXT_PUBLIC_* values are never inlined at build time. Isomorphic and pure.
 */
import { releaseName, sentrySettings, type SentrySettings } from "./sentry-options";

export const PUBLIC_CONFIG_ELEMENT_ID = "slipway-public-config";
/** Where the browser sends Sentry envelopes (src/app/monitoring/route.ts forwards them). */
export const SENTRY_TUNNEL_PATH = "/monitoring";

export type AnalyticsProvider = "plausible" | "umami";

export interface AnalyticsConfig {
  provider: AnalyticsProvider;
  scriptUrl: string;
  /** Plausible: data-domain. */
  domain?: string;
  /** Umami: data-website-id. */
  websiteId?: string;
}

export interface PublicConfig {
  sentry: (SentrySettings & { dsn: string; tunnel: string }) | null;
  analytics: AnalyticsConfig | null;
}

export const DEFAULT_ANALYTICS_SCRIPTS: Record<AnalyticsProvider, string> = {
  plausible: "https://plausible.io/js/script.js",
  umami: "https://cloud.umami.is/script.js",
};

export interface PublicEnv {
  NEXT_PUBLIC_SENTRY_DSN?: string;
  SENTRY_ENVIRONMENT?: string;
  SENTRY_ERROR_SAMPLE_RATE?: number;
  SENTRY_TRACES_SAMPLE_RATE?: number;
  SENTRY_REPLAYS_SESSION_SAMPLE_RATE?: number;
  SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE?: number;
  NEXT_PUBLIC_ANALYTICS_PROVIDER?: AnalyticsProvider;
  NEXT_PUBLIC_ANALYTICS_DOMAIN?: string;
  NEXT_PUBLIC_ANALYTICS_SCRIPT_URL?: string;
  NEXT_PUBLIC_ANALYTICS_WEBSITE_ID?: string;
}

/** Analytics only when the provider AND its site setting are configured. */
export function analyticsConfig(env: PublicEnv): AnalyticsConfig | null {
  const provider = env.NEXT_PUBLIC_ANALYTICS_PROVIDER;
  if (!provider) return null;
  const scriptUrl = env.NEXT_PUBLIC_ANALYTICS_SCRIPT_URL || DEFAULT_ANALYTICS_SCRIPTS[provider];
  if (provider === "plausible") {
    return env.NEXT_PUBLIC_ANALYTICS_DOMAIN ? { provider, scriptUrl, domain: env.NEXT_PUBLIC_ANALYTICS_DOMAIN } : null;
  }
  return env.NEXT_PUBLIC_ANALYTICS_WEBSITE_ID
    ? { provider, scriptUrl, websiteId: env.NEXT_PUBLIC_ANALYTICS_WEBSITE_ID }
    : null;
}

export function publicConfig(
  env: PublicEnv,
  nodeEnv: string,
  release: { version: string; commit: string | undefined },
): PublicConfig {
  const settings = sentrySettings({
    dsn: env.NEXT_PUBLIC_SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT,
    nodeEnv,
    release,
    errorSampleRate: env.SENTRY_ERROR_SAMPLE_RATE,
    tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE,
    replaysSessionSampleRate: env.SENTRY_REPLAYS_SESSION_SAMPLE_RATE,
    replaysOnErrorSampleRate: env.SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE,
  });
  return {
    sentry: settings.dsn ? { ...settings, dsn: settings.dsn, tunnel: SENTRY_TUNNEL_PATH } : null,
    analytics: analyticsConfig(env),
  };
}

/** JSON safe to embed in a <script> element (no "</script>", no HTML comment openers). */
export function serializePublicConfig(config: PublicConfig): string {
  return JSON.stringify(config)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export { releaseName };

/** Browser: the config the layout embedded, or null (no element, or unreadable). */
export function readPublicConfig(doc: Document = document): PublicConfig | null {
  const element = doc.getElementById(PUBLIC_CONFIG_ELEMENT_ID);
  if (!element?.textContent) return null;
  try {
    return JSON.parse(element.textContent) as PublicConfig;
  } catch {
    return null;
  }
}

/**
 * Browser: calls `apply` with the config as soon as it is in the document. instrumentation-client
 * can run before the parser reaches the element, so wait for DOMContentLoaded when needed.
 */
export function whenPublicConfigReady(apply: (config: PublicConfig | null) => void): void {
  if (typeof document === "undefined") return;
  const config = readPublicConfig();
  if (config || document.readyState !== "loading") {
    apply(config);
    return;
  }
  document.addEventListener("DOMContentLoaded", () => apply(readPublicConfig()), { once: true });
}
