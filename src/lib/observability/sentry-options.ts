/**
 * Sentry settings as pure decisions, shared by sentry.{server,edge,client}.config.ts. No SDK import
 * here: each config file passes these options to its runtime's `Sentry.init`.
 */
import {
  IGNORED_SPAN_NAMES,
  isIgnoredTransaction,
  scrubEvent,
  scrubSpan,
  type ScrubbableEvent,
  type ScrubbableSpan,
} from "./sentry-scrub";

export interface SentrySettings {
  /** Undefined means Sentry is off: no client, no transport, no request to any Sentry host. */
  dsn: string | undefined;
  environment: string;
  release: string;
  errorSampleRate: number;
  tracesSampleRate: number;
  replaysSessionSampleRate: number;
  replaysOnErrorSampleRate: number;
}

export interface SentrySettingsInput {
  dsn: string | undefined;
  environment: string | undefined;
  nodeEnv: string;
  /** The release name (getRelease().name). */
  release: string;
  errorSampleRate?: number;
  tracesSampleRate?: number;
  replaysSessionSampleRate?: number;
  replaysOnErrorSampleRate?: number;
}

/** Errors 1.0, traces 0.1 in production (1.0 elsewhere), replays off unless configured. */
export function sentrySettings(input: SentrySettingsInput): SentrySettings {
  return {
    dsn: input.dsn || undefined,
    environment: input.environment || input.nodeEnv,
    release: input.release,
    errorSampleRate: input.errorSampleRate ?? 1,
    tracesSampleRate: input.tracesSampleRate ?? (input.nodeEnv === "production" ? 0.1 : 1),
    replaysSessionSampleRate: input.replaysSessionSampleRate ?? 0,
    replaysOnErrorSampleRate: input.replaysOnErrorSampleRate ?? 0,
  };
}

interface SamplingInput {
  name: string;
  attributes?: Record<string, unknown>;
  normalizedRequest?: { url?: string };
  inheritOrSampleWith: (fallback: number) => number;
}

function urlPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    return new URL(value, "http://x").pathname;
  } catch {
    return undefined;
  }
}

/** Init options common to every runtime: identity, sampling, privacy and the scrubber. */
export function commonInitOptions(settings: SentrySettings, knownSecrets: () => readonly string[]) {
  return {
    dsn: settings.dsn,
    enabled: settings.dsn !== undefined,
    environment: settings.environment,
    release: settings.release,
    sampleRate: settings.errorSampleRate,
    sendDefaultPii: false,
    tracesSampler: ({ name, attributes, normalizedRequest, inheritOrSampleWith }: SamplingInput) => {
      const paths = [
        name,
        urlPath(attributes?.["url.path"]),
        urlPath(attributes?.["http.target"]),
        urlPath(attributes?.["http.url"]),
        urlPath(normalizedRequest?.url),
      ];
      if (paths.some((path) => isIgnoredTransaction(path))) return 0;
      return inheritOrSampleWith(settings.tracesSampleRate);
    },
    // Spans are streamed (the SDK 11 default): the sampler above keeps probe traces from starting,
    // ignoreSpans drops any that start anyway (e.g. continued from an incoming trace), and every
    // span's attributes are scrubbed like events.
    ignoreSpans: IGNORED_SPAN_NAMES,
    beforeSend: <E extends ScrubbableEvent>(event: E): E => scrubEvent(event, knownSecrets()),
    beforeSendSpan: <S extends ScrubbableSpan>(span: S): S => scrubSpan(span, knownSecrets()),
  };
}
