import { SECRET_VARIABLES } from "@/lib/env/client";

/**
 * What never reaches a log line or an error report: secrets, and what users typed as it travels in
 * database errors. The browser-safe part of the logging concern, shared by the logger and the
 * Sentry scrubber (which also runs in the browser). Pure.
 */

/** Object paths pino censors wherever they appear (one and two levels deep). */
const SENSITIVE_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "passwd",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "api_key",
  "databaseUrl",
  // A failed query's bound values (postgres.js `parameters`, drizzle's `params`): emails, names, free text.
  "parameters",
  "params",
  ...SECRET_VARIABLES,
];

export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`)),
  ...SENSITIVE_KEYS.map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `*.${key}` : `*["${key}"]`)),
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

export const REDACTED = "[redacted]";

const SECRET_PATTERNS: RegExp[] = [
  // credentials inside connection strings: scheme://user:password@host
  /\b([a-z][a-z0-9+.-]*:\/\/)([^:/@\s]+):([^@\s]+)@/gi,
  // bearer tokens
  /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/g,
  // well-known key prefixes: Clerk, Svix, Sentry auth tokens
  /\b(sk|pk|rk)_(test|live)_[A-Za-z0-9]+/g,
  /\bwhsec_[A-Za-z0-9+/=]+/g,
  /\bsntrys_[A-Za-z0-9_=+/]+/g,
  // JSON Web Tokens
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

/**
 * User content inside database error text: drizzle's "Failed query: … params: a,b,c" and
 * PostgreSQL's details such as "Key (tenant_id, name)=(…, Secret plans) already exists." The SQL
 * and the column names stay (they say what failed); the values go.
 */
const QUERY_VALUES: [RegExp, string][] = [
  [/(\bparams: ).*$/gm, `$1${REDACTED}`],
  [/(\) ?= ?\()(.*?)(\)( already exists| is not present| conflicts|\.|$))/g, `$1${REDACTED}$3`],
  [/(\bFailing row contains \().*(\))/g, `$1${REDACTED}$2`],
];

/** Replaces secret-looking substrings, any of the given known secret values, and query values. */
export function scrubString(value: string, knownSecrets: readonly string[] = []): string {
  let result = value;
  for (const secret of knownSecrets) {
    if (secret && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result
    .replace(SECRET_PATTERNS[0]!, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(SECRET_PATTERNS[1]!, (_m, prefix: string) => `${prefix}${REDACTED}`)
    .replace(SECRET_PATTERNS[2]!, REDACTED)
    .replace(SECRET_PATTERNS[3]!, REDACTED)
    .replace(SECRET_PATTERNS[4]!, REDACTED)
    .replace(SECRET_PATTERNS[5]!, REDACTED)
    .replace(QUERY_VALUES[0]![0], QUERY_VALUES[0]![1])
    .replace(QUERY_VALUES[1]![0], QUERY_VALUES[1]![1])
    .replace(QUERY_VALUES[2]![0], QUERY_VALUES[2]![1]);
}

const SENSITIVE_KEY_SET = new Set(SENSITIVE_KEYS.map((key) => key.toLowerCase()));

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY_SET.has(key.toLowerCase());
}

/** Deep copy with sensitive keys censored and every string scrubbed. Cycles become "[circular]". */
export function scrubValue(
  value: unknown,
  knownSecrets: readonly string[] = [],
  seen = new WeakSet<object>(),
): unknown {
  if (typeof value === "string") return scrubString(value, knownSecrets);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, knownSecrets, seen));
  if (value instanceof Error) {
    // Error fields are not enumerable: copy what a reader needs before scrubbing.
    const { name, message, stack } = value;
    const cause = (value as { cause?: unknown }).cause;
    return scrubValue(
      { ...value, type: name, message, stack, ...(cause === undefined ? {} : { cause }) },
      knownSecrets,
      seen,
    );
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = isSensitiveKey(key) ? REDACTED : scrubValue(item, knownSecrets, seen);
  }
  return result;
}
