/**
 * What the browser needs to know, decided on the server AT RUNTIME: one build deploys anywhere,
 * and NEXT_PUBLIC_* values are never inlined at build time. The root layout stays static (pages
 * are prerendered and CDN-cacheable) and loads it as a small script, /runtime-config.js
 * (src/app/runtime-config.js/route.ts), which sets `window[PUBLIC_CONFIG_GLOBAL]` and loads the
 * analytics provider's script when configured. Isomorphic and pure.
 */
import { sentrySettings, type SentrySettings } from "./sentry-options";

export const PUBLIC_CONFIG_PATH = "/runtime-config.js";
const PUBLIC_CONFIG_GLOBAL = "__SLIPWAY_PUBLIC_CONFIG__";
/** Dispatched on `document` by /runtime-config.js once the config is set. */
const PUBLIC_CONFIG_EVENT = "slipway:public-config";
/** Where the browser sends Sentry envelopes (src/app/monitoring/route.ts forwards them). */
const SENTRY_TUNNEL_PATH = "/monitoring";

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
  /** Production running local auth (a public demo): pages show a banner saying so. */
  demoMode: boolean;
}

const DEFAULT_ANALYTICS_SCRIPTS: Record<AnalyticsProvider, string> = {
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

/** The analytics provider's origin (its script and its event endpoint), for the CSP. */
export function analyticsOriginOf(env: PublicEnv): string | undefined {
  const config = analyticsConfig(env);
  return config ? new URL(config.scriptUrl).origin : undefined;
}

export function publicConfig(
  env: PublicEnv,
  context: { nodeEnv: string; release: string; authMode: "clerk" | "local" },
): PublicConfig {
  const { nodeEnv, release } = context;
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
    demoMode: nodeEnv === "production" && context.authMode === "local",
  };
}

/** JSON safe to embed in a script (no "</script>", no HTML comment openers, no line separators). */
export function serializePublicConfig(config: PublicConfig): string {
  return JSON.stringify(config)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The body of /runtime-config.js: sets the config, loads the analytics provider's script (with the
 * attributes Plausible and Umami read) and tells waiting code that the config is there.
 */
export function publicConfigScript(config: PublicConfig): string {
  return `window.${PUBLIC_CONFIG_GLOBAL}=${serializePublicConfig(config)};
(function (c) {
  if (c.analytics) {
    var s = document.createElement("script");
    s.defer = true;
    s.src = c.analytics.scriptUrl;
    if (c.analytics.domain) s.setAttribute("data-domain", c.analytics.domain);
    if (c.analytics.websiteId) s.setAttribute("data-website-id", c.analytics.websiteId);
    document.head.appendChild(s);
  }
  document.dispatchEvent(new Event("${PUBLIC_CONFIG_EVENT}"));
})(window.${PUBLIC_CONFIG_GLOBAL});
`;
}

/** Browser: the config /runtime-config.js set, or null (not loaded yet, or blocked). */
export function readPublicConfig(): PublicConfig | null {
  if (typeof window === "undefined") return null;
  return ((window as unknown as Record<string, unknown>)[PUBLIC_CONFIG_GLOBAL] as PublicConfig | undefined) ?? null;
}

/**
 * Browser: calls `apply` once with the config as soon as it is there, whatever order the scripts
 * run in. The layout loads /runtime-config.js with `defer`; Next's chunks are `async` and may run
 * before it, while the document is still loading OR in the "interactive" state, when deferred
 * scripts are about to run but have not yet (so `readyState !== "loading"` proves nothing). The
 * config script announces itself with an event; its absence is known only once the window's
 * `load` has fired (deferred scripts run before it, blocked or failed ones are settled by then):
 * then `apply(null)`.
 */
export function whenPublicConfigReady(apply: (config: PublicConfig | null) => void): void {
  if (typeof document === "undefined") return;
  const config = readPublicConfig();
  if (config || document.readyState === "complete") {
    apply(config);
    return;
  }
  let applied = false;
  const once = () => {
    if (applied) return;
    applied = true;
    document.removeEventListener(PUBLIC_CONFIG_EVENT, once);
    window.removeEventListener("load", once);
    apply(readPublicConfig());
  };
  document.addEventListener(PUBLIC_CONFIG_EVENT, once);
  window.addEventListener("load", once);
}
