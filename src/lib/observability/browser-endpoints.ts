import { getAuthMode, getEnv, getRelease, nodeEnv } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { publicConfig, publicConfigScript } from "./public-config";

/**
 * What the server does for the browser's observability: hand it its runtime config
 * (/runtime-config.js) and forward its Sentry envelopes (the /monitoring tunnel).
 */

/**
 * GET /runtime-config.js. Cached briefly by browsers and CDNs: it changes only when the deployment's
 * configuration does (a restart), and every page load would otherwise ask for it.
 */
export function publicConfigResponse(): Response {
  const config = publicConfig(getEnv(), { nodeEnv, release: getRelease().name, authMode: getAuthMode() });
  return new Response(publicConfigScript(config), {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=60, stale-while-revalidate=600",
    },
  });
}

/**
 * The Sentry tunnel (/monitoring): the browser posts envelopes to our own origin, so ad blockers do
 * not drop them, and we forward each to the Sentry host of the CONFIGURED DSN only (never an open
 * relay). Works for sentry.io, self-hosted Sentry and local stand-ins alike, because the target is
 * derived from the runtime DSN rather than fixed at build time.
 */

interface Dsn {
  protocol: string;
  publicKey: string;
  host: string;
  pathPrefix: string;
  projectId: string;
}

export function parseDsn(value: string): Dsn | null {
  try {
    const url = new URL(value);
    const segments = url.pathname.split("/").filter(Boolean);
    const projectId = segments.pop();
    if (!url.username || !projectId || !/^\d+$/.test(projectId)) return null;
    return {
      protocol: url.protocol,
      publicKey: url.username,
      host: url.host,
      pathPrefix: segments.length ? `/${segments.join("/")}` : "",
      projectId,
    };
  } catch {
    return null;
  }
}

/** Where to forward an envelope whose first line is `headerLine`, or null when it is not ours. */
export function envelopeTarget(headerLine: string, configuredDsn: string): string | null {
  const configured = parseDsn(configuredDsn);
  if (!configured) return null;
  let header: { dsn?: unknown };
  try {
    header = JSON.parse(headerLine) as { dsn?: unknown };
  } catch {
    return null;
  }
  const given = typeof header.dsn === "string" ? parseDsn(header.dsn) : null;
  if (
    !given ||
    given.host !== configured.host ||
    given.projectId !== configured.projectId ||
    given.publicKey !== configured.publicKey
  ) {
    return null;
  }
  return `${configured.protocol}//${configured.host}${configured.pathPrefix}/api/${configured.projectId}/envelope/`;
}

/** How long the tunnel waits for Sentry, and how long it stops trying after Sentry did not answer. */
const UPSTREAM_TIMEOUT_MS = 2000;
const UPSTREAM_BACKOFF_MS = 10_000;
const upstream = singleton("observability.tunnel-upstream", () => ({ failedAt: 0 }));

/**
 * Forwards one envelope (read within the route table's limit) to the configured DSN's host; 400 for
 * foreign ones. Sentry is optional: when its host does not answer within 2 s the browser gets a 503
 * (a warn-level line, like any dependency outage), and for the next 10 s envelopes are answered 503
 * at once instead of each holding a request slot while it waits.
 */
export async function forwardEnvelope(body: Uint8Array<ArrayBuffer>, configuredDsn: string): Promise<Response> {
  const newline = body.indexOf(10);
  const headerLine = new TextDecoder().decode(newline === -1 ? body : body.subarray(0, newline));
  const target = envelopeTarget(headerLine, configuredDsn);
  if (!target) return new Response(null, { status: 400 });
  const unavailable = () => new Response(null, { status: 503, headers: { "Retry-After": "10" } });
  if (Date.now() - upstream.failedAt < UPSTREAM_BACKOFF_MS) return unavailable();
  try {
    const answer = await fetch(target, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-sentry-envelope" },
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    await answer.arrayBuffer();
    return new Response(null, { status: answer.status >= 500 ? 503 : answer.status });
  } catch {
    // Sentry unreachable: the page must not notice, and the next envelopes do not wait for it.
    upstream.failedAt = Date.now();
    return unavailable();
  }
}
