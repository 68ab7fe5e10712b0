/**
 * Sentry settings as pure decisions, shared by sentry.{server,edge,client}.config.ts. No SDK import
 * here: each config file passes these options to its runtime's `Sentry.init`.
 */
import { droppedTransactions, scrubEvent, scrubSpan, type ScrubbableEvent, type ScrubbableSpan } from "./sentry-scrub";

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

// ---- Severity ---------------------------------------------------------------------------------------

/** P0 page now, P1 within the hour, P2 and P3 in the daily digest (docs/runbooks/incident-response.md). */
export type Severity = "P0" | "P1" | "P2" | "P3";

export interface SeverityInput {
  runtime: "server" | "browser";
  /** The HTTP method of the request that failed (server). */
  method?: string;
  /** Where the error was marked as coming from (markErrorArea): "auth" for authentication. */
  area?: string;
  /** The event's level as captured: "warning" for dependency outages (reportError). */
  level?: string;
  /** The messages of the exception and its causes. */
  messages: readonly string[];
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** THE rule table: the first rule that matches decides. Sentry alert rules filter on the severity tag. */
const SEVERITY_RULES: readonly {
  severity: Severity;
  why: string;
  matches: (input: SeverityInput) => boolean;
}[] = [
  {
    severity: "P0",
    why: "tenant isolation: row-level security refused a statement the app sent (a bug that could leak)",
    matches: ({ messages }) => messages.some((message) => /row-level security/i.test(message)),
  },
  { severity: "P3", why: "in a browser: one visitor's page", matches: ({ runtime }) => runtime === "browser" },
  {
    severity: "P2",
    why: "a dependency is unavailable (the outage alerts page for it; Sentry groups the failures)",
    matches: ({ level }) => level === "warning",
  },
  {
    severity: "P0",
    why: "authentication failed unexpectedly: nobody can sign in",
    matches: ({ area }) => area === "auth",
  },
  {
    severity: "P1",
    why: "an unexpected error in a write: someone's change was lost",
    matches: ({ method }) => WRITE_METHODS.has(method ?? ""),
  },
  { severity: "P2", why: "an unexpected error in a read", matches: () => true },
];

/** The Sentry level each severity is sent with. */
export const SEVERITY_LEVELS: Record<Severity, "fatal" | "error" | "warning" | "info"> = {
  P0: "fatal",
  P1: "error",
  P2: "warning",
  P3: "info",
};

export function severityOf(input: SeverityInput): Severity {
  return SEVERITY_RULES.find((rule) => rule.matches(input))!.severity;
}

interface ClassifiableEvent {
  level?: string;
  tags?: Record<string, unknown>;
  exception?: { values?: { value?: string }[] };
}

/** Tags the event with its severity and sends it at the severity's level. */
export function classifyEvent<E extends ClassifiableEvent>(
  event: E,
  input: Omit<SeverityInput, "messages" | "level"> & { messages?: readonly string[] },
): E {
  const messages = [...(input.messages ?? []), ...(event.exception?.values ?? []).map((value) => value.value ?? "")];
  const severity = severityOf({ ...input, level: event.level, messages });
  event.tags = { ...event.tags, severity };
  event.level = SEVERITY_LEVELS[severity];
  return event;
}

/** Where Sentry runs: the Node.js server, Next's Edge runtime, or the browser. */
export type SentryRuntime = "server" | "edge" | "browser";

/**
 * Init options common to every runtime: identity, sampling, privacy and the scrubber.
 * `quietPathPrefixes`: the route table's quiet paths (quietPathPrefixes(routes)), whose
 * transactions are dropped.
 */
export function commonInitOptions(
  settings: SentrySettings,
  knownSecrets: () => readonly string[],
  runtime: SentryRuntime,
  quietPathPrefixes: readonly string[],
) {
  const dropped = droppedTransactions(quietPathPrefixes);
  return {
    // Which runtime an event came from, as Next names them: alert rules and searches filter on it.
    initialScope: { tags: { runtime: runtime === "server" ? "nodejs" : runtime } },
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
      if (paths.some((path) => dropped.isIgnored(path))) return 0;
      return inheritOrSampleWith(settings.tracesSampleRate);
    },
    // Spans are streamed (the SDK 11 default): the sampler above keeps probe traces from starting,
    // ignoreSpans drops any that start anyway (e.g. continued from an incoming trace), and every
    // span's attributes are scrubbed like events.
    ignoreSpans: dropped.spanNames,
    // The server classifies in its event processor (tagWithRequestContext: it knows the request);
    // the browser here, where every error is one visitor's page, and the Edge runtime here, from
    // the request the SDK recorded (a server error like any other).
    beforeSend: <E extends ScrubbableEvent & ClassifiableEvent>(event: E): E => {
      const scrubbed = scrubEvent(event, knownSecrets());
      if (runtime === "browser") return classifyEvent(scrubbed, { runtime });
      if (runtime === "edge") return classifyEvent(scrubbed, { runtime: "server", method: scrubbed.request?.method });
      return scrubbed;
    },
    beforeSendSpan: <S extends ScrubbableSpan>(span: S): S => scrubSpan(span, knownSecrets()),
  };
}
