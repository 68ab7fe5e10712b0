/**
 * One uptime check of a deployment, from outside, as users reach it (.github/workflows/uptime.yml
 * runs it every 5 minutes): the landing page, the sign-in page and the API health report, each
 * timed, and the TLS certificate's expiry.
 *
 *   BASE_URL=https://app.example.com npx tsx scripts/uptime-check.ts [--record FILE]
 *
 * Environment: BASE_URL (required), UPTIME_SLOW_MS (a response slower than this is a warning;
 * default 2000), UPTIME_TLS_WARN_DAYS (a certificate expiring within this many days fails the
 * check; default 14), UPTIME_TIMEOUT_MS (per request; default 10000).
 *
 * Prints one line per probe; in GitHub Actions also `::warning::` for slow responses and
 * `::error::` for failures and an expiring certificate. With --record, appends the check's record
 * (one JSON object on one line, format in docs/observability.md#the-uptime-record) to FILE.
 * Exits 0 when every probe passed and the certificate has more than the warning period left, 1
 * otherwise, 2 on invalid input.
 */
import { appendFileSync } from "node:fs";
import { connect, type PeerCertificate } from "node:tls";

interface Probe {
  name: "landing" | "sign-in" | "api-health";
  path: string;
  /** Why the answer is not what a working deployment gives, or undefined when it is. */
  verdict: (response: Response, body: string) => string | undefined;
}

const PROBES: Probe[] = [
  {
    name: "landing",
    path: "/",
    verdict: (response) => (response.status === 200 ? undefined : `HTTP ${response.status}`),
  },
  {
    name: "sign-in",
    path: "/sign-in",
    verdict: (response) => (response.status === 200 ? undefined : `HTTP ${response.status}`),
  },
  {
    name: "api-health",
    path: "/api/health",
    verdict: (response, body) => {
      if (response.status !== 200) return `HTTP ${response.status}`;
      try {
        const status = (JSON.parse(body) as { status?: unknown }).status;
        return status === "healthy" || status === "degraded" ? undefined : `status ${JSON.stringify(status)}`;
      } catch {
        return "not JSON";
      }
    },
  },
];

export interface ProbeResult {
  name: Probe["name"];
  path: string;
  ok: boolean;
  status: number | null;
  durationMs: number;
  slow: boolean;
  error?: string;
}

export interface TlsResult {
  ok: boolean;
  expiresAt: string | null;
  daysLeft: number | null;
  /** The chain verified against the trusted CAs, for the probed host name. */
  trusted: boolean;
  error?: string;
}

/** One line of the uptime record (docs/observability.md#the-uptime-record). */
export interface UptimeRecord {
  version: 1;
  time: string;
  baseUrl: string;
  /** Every probe answered as a working deployment does (the uptime figure counts these). */
  up: boolean;
  slowMs: number;
  probes: ProbeResult[];
  /** null for http:// */
  tls: TlsResult | null;
}

function settings(env: NodeJS.ProcessEnv) {
  const number = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
    return value;
  };
  let baseUrl: URL;
  try {
    baseUrl = new URL(env.BASE_URL ?? "");
  } catch {
    throw new Error("BASE_URL must be the deployment's URL, e.g. https://app.example.com");
  }
  if (baseUrl.protocol !== "https:" && baseUrl.protocol !== "http:") throw new Error("BASE_URL must be http(s)");
  return {
    baseUrl,
    slowMs: number("UPTIME_SLOW_MS", 2000),
    tlsWarnDays: number("UPTIME_TLS_WARN_DAYS", 14),
    timeoutMs: number("UPTIME_TIMEOUT_MS", 10_000),
  };
}

async function probe(baseUrl: URL, target: Probe, slowMs: number, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const url = new URL(target.path, baseUrl);
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    const durationMs = Math.round(performance.now() - started);
    const error = target.verdict(response, body);
    return {
      name: target.name,
      path: target.path,
      ok: !error,
      status: response.status,
      durationMs,
      slow: durationMs > slowMs,
      ...(error ? { error } : {}),
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { name: target.name, path: target.path, ok: false, status: null, durationMs, slow: false, error: cause };
  }
}

/** The certificate the server presents for the URL's host name (verified or not: an expired one is still read). */
function certificate(
  baseUrl: URL,
  timeoutMs: number,
): Promise<{ cert: PeerCertificate; trusted: boolean; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: baseUrl.hostname,
      port: Number(baseUrl.port || 443),
      servername: /^[\d.]+$|:/.test(baseUrl.hostname) ? undefined : baseUrl.hostname,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const reason = socket.authorizationError ? String(socket.authorizationError) : undefined;
      resolve({ cert, trusted: socket.authorized, reason });
      socket.end();
    });
    socket.once("error", reject);
  });
}

async function checkTls(baseUrl: URL, warnDays: number, timeoutMs: number, now: Date): Promise<TlsResult | null> {
  if (baseUrl.protocol !== "https:") return null;
  try {
    const { cert, trusted, reason } = await certificate(baseUrl, timeoutMs);
    const expires = new Date(cert.valid_to);
    const daysLeft = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
    const expiring = daysLeft < warnDays;
    const error = !trusted
      ? `certificate not trusted (${reason})`
      : expiring
        ? `certificate expires in ${daysLeft} days (${expires.toISOString()}), within ${warnDays}`
        : undefined;
    return { ok: !error, expiresAt: expires.toISOString(), daysLeft, trusted, ...(error ? { error } : {}) };
  } catch (error) {
    return {
      ok: false,
      expiresAt: null,
      daysLeft: null,
      trusted: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

const inActions = () => process.env.GITHUB_ACTIONS === "true";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const recordIndex = args.indexOf("--record");
  const recordFile = recordIndex >= 0 ? args[recordIndex + 1] : undefined;
  if (recordIndex >= 0 && !recordFile) throw new Error("--record needs a file");
  const { baseUrl, slowMs, tlsWarnDays, timeoutMs } = settings(process.env);
  const now = new Date();

  const probes: ProbeResult[] = [];
  for (const target of PROBES) probes.push(await probe(baseUrl, target, slowMs, timeoutMs));
  const tls = await checkTls(baseUrl, tlsWarnDays, timeoutMs, now);
  const record: UptimeRecord = {
    version: 1,
    time: now.toISOString(),
    baseUrl: baseUrl.origin,
    up: probes.every((result) => result.ok),
    slowMs,
    probes,
    tls,
  };

  for (const result of probes) {
    const line = `${result.name} ${result.path}: ${result.ok ? "ok" : `FAILED (${result.error})`}, ${result.status ?? "no answer"} in ${result.durationMs} ms`;
    console.log(line);
    if (!result.ok && inActions()) console.log(`::error::uptime ${line}`);
    if (result.slow)
      console.log(`${inActions() ? "::warning::" : "WARNING: "}slow response: ${line} (over ${slowMs} ms)`);
  }
  if (tls) {
    const line = tls.ok ? `tls: ok, expires ${tls.expiresAt} (${tls.daysLeft} days)` : `tls: FAILED (${tls.error})`;
    console.log(line);
    if (!tls.ok && inActions()) console.log(`::error::uptime ${line}`);
  }
  if (recordFile) appendFileSync(recordFile, `${JSON.stringify(record)}\n`);
  return record.up && (tls?.ok ?? true) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`uptime-check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
