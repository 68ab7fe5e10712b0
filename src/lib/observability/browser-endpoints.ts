import { getAuthMode, getEnv, getRelease, nodeEnv } from "@/lib/env";
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

/** Forwards one envelope (read within the route table's limit) to the configured DSN's host; 400 for foreign ones. */
export async function forwardEnvelope(body: Uint8Array<ArrayBuffer>, configuredDsn: string): Promise<Response> {
  const newline = body.indexOf(10);
  const headerLine = new TextDecoder().decode(newline === -1 ? body : body.subarray(0, newline));
  const target = envelopeTarget(headerLine, configuredDsn);
  if (!target) return new Response(null, { status: 400 });
  try {
    const upstream = await fetch(target, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-sentry-envelope" },
      signal: AbortSignal.timeout(5000),
    });
    return new Response(null, { status: upstream.status });
  } catch {
    // Sentry unreachable: the page must not notice.
    return new Response(null, { status: 502 });
  }
}
