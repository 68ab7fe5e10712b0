/**
 * What leaves the process in a Sentry event. Pure and isomorphic (server, edge and browser share
 * it): no cookies, no authorization or token headers, no e-mail addresses, no configured secret
 * values and nothing matching a known secret pattern. The user is reduced to the internal id.
 */
// The redaction rules are the logger's own (one list for logs and error reports). redaction.ts is
// the pure, browser-safe half of @/lib/logger; the index is server-only, hence the deep import.
import { isSensitiveKey, REDACTED, scrubString, scrubValue } from "@/lib/logger/client";

/** The subset of a Sentry event (or transaction) the scrubber touches; everything else is copied. */
export interface ScrubbableEvent {
  request?: {
    url?: string;
    query_string?: unknown;
    cookies?: unknown;
    headers?: Record<string, string>;
    data?: unknown;
    env?: unknown;
    method?: string;
  };
  user?: { id?: string | number };
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Headers that identify or authenticate someone, beyond the logger's sensitive keys. */
const DROPPED_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-auth-token",
  "x-csrf-token",
  "x-forwarded-for",
  "x-real-ip",
  "cf-connecting-ip",
  "true-client-ip",
]);

/** scrubString plus e-mail addresses. */
export function scrubText(value: string, knownSecrets: readonly string[] = []): string {
  return scrubString(value, knownSecrets).replace(EMAIL, REDACTED);
}

function scrubDeep(value: unknown, knownSecrets: readonly string[]): unknown {
  const scrubbed = scrubValue(value, knownSecrets);
  const withoutEmails = (item: unknown): unknown => {
    if (typeof item === "string") return item.replace(EMAIL, REDACTED);
    if (Array.isArray(item)) return item.map(withoutEmails);
    if (item && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, withoutEmails(inner)]));
    }
    return item;
  };
  return withoutEmails(scrubbed);
}

function scrubHeaders(headers: Record<string, string>, knownSecrets: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || isSensitiveKey(lower) || /token|secret|session|signature/.test(lower)) continue;
    result[name] = scrubText(String(value), knownSecrets);
  }
  return result;
}

/** A scrubbed copy of a Sentry event. Never throws; returns the event shape it was given. */
export function scrubEvent<E extends ScrubbableEvent>(event: E, knownSecrets: readonly string[] = []): E {
  const { request, user, ...rest } = event;
  const result = scrubDeep(rest, knownSecrets) as E;
  if (request) {
    const { cookies: _cookies, headers, data, env: _env, query_string, url, ...other } = request;
    result.request = {
      ...(scrubDeep(other, knownSecrets) as { method?: string }),
      ...(url === undefined ? {} : { url: scrubText(url, knownSecrets) }),
      ...(query_string === undefined ? {} : { query_string: scrubDeep(query_string, knownSecrets) }),
      ...(headers ? { headers: scrubHeaders(headers, knownSecrets) } : {}),
      // Request bodies can carry anything a user typed; keep only that there was one.
      ...(data === undefined ? {} : { data: REDACTED }),
    };
  }
  if (user?.id !== undefined) result.user = { id: user.id };
  return result;
}

export interface ScrubbableSpan {
  name: string;
  attributes?: Record<string, unknown>;
}

const SENSITIVE_ATTRIBUTE = /cookie|authorization|token|secret|password|session|api[-_.]?key/i;

/** A copy of a span with sensitive attributes censored and every string attribute scrubbed. */
export function scrubSpan<S extends ScrubbableSpan>(span: S, knownSecrets: readonly string[] = []): S {
  const scrubAttribute = (value: unknown): unknown => {
    if (typeof value === "string") return scrubText(value, knownSecrets);
    if (Array.isArray(value)) return value.map(scrubAttribute);
    if (value && typeof value === "object" && "value" in value) {
      return { ...value, value: scrubAttribute((value as { value: unknown }).value) };
    }
    return value;
  };
  const attributes = span.attributes
    ? Object.fromEntries(
        Object.entries(span.attributes).map(([key, value]) => [
          key,
          SENSITIVE_ATTRIBUTE.test(key) ? REDACTED : scrubAttribute(value),
        ]),
      )
    : undefined;
  return { ...span, name: scrubText(span.name, knownSecrets), ...(attributes ? { attributes } : {}) };
}

/** The path in a transaction name such as "GET /health/live" or "/api/metrics". */
function pathOf(transactionName: string): string {
  const withoutMethod = transactionName.replace(/^[A-Z]+\s+/, "");
  return withoutMethod.split("?")[0] ?? withoutMethod;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Transactions nobody needs: those of the route table's quiet classes (probes, the metrics scrape,
 * the Sentry tunnel, static assets), given as path prefixes ("/health" drops "/health/live").
 */
export function droppedTransactions(quietPathPrefixes: readonly string[]) {
  const patterns = quietPathPrefixes.map((prefix) => `${escaped(prefix)}(?:/|$)`);
  const path = new RegExp(`^(?:${patterns.join("|") || "(?!)"})`);
  return {
    isIgnored: (transactionName: string | undefined) => Boolean(transactionName) && path.test(pathOf(transactionName!)),
    /** As span-name patterns for Sentry's ignoreSpans ("GET /health/live"). */
    spanNames: patterns.map((pattern) => new RegExp(`^([A-Z]+ )?${pattern}`)),
  };
}
