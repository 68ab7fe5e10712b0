import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "@playwright/test";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startSentryStandIn, type SentryStandIn } from "../../support/sentry-stand-in";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql } from "../../support/tenants";
import {
  createDatabaseMissingAuditGrant,
  jsonLogLines,
  loadedSentryPackages,
  MODULE_SPY,
  NET_SPY,
  outboundConnections,
  PLANTED_SECRET,
  sessionCookie,
  type BrokenDatabase,
  type TenantMember,
} from "./support";

/**
 * Sentry end to end against the production standalone server and a local stand-in that receives
 * envelopes (DSN http://public@127.0.0.1:PORT/1).
 */

interface SentryEvent {
  event_id: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  user?: Record<string, unknown>;
  contexts?: { trace?: { trace_id?: string } };
  exception?: { values?: { type?: string; value?: string; stacktrace?: { frames?: unknown[] } }[] };
}

interface StreamedSpan {
  name: string;
  attributes?: Record<string, { value?: unknown }>;
}

let sentry: SentryStandIn;
let database: BrokenDatabase;
let server: StandaloneServer;
let member: TenantMember;
let cookie: string;
let browser: Browser | undefined;

// The request that fails on purpose, made once; each test below checks one consequence of it.
let failure: { status: number; requestId: string | null; event: SentryEvent; envelope: string };

beforeAll(async () => {
  sentry = await startSentryStandIn();
  database = await createDatabaseMissingAuditGrant(inject("databaseUrl"));
  member = database.member;
  cookie = await sessionCookie(member, PLANTED_SECRET);
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: database.url,
      SENTRY_DSN: sentry.dsn,
      NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
      SENTRY_ENVIRONMENT: "integration",
      SENTRY_TRACES_SAMPLE_RATE: "1",
      COMMIT_SHA: "obs1234",
      // The planted secret is configuration (the session secret) …
      SESSION_SECRET: PLANTED_SECRET,
      NODE_OPTIONS: `--require ${NET_SPY} --require ${MODULE_SPY}`,
    },
  });

  // … and travels in headers, a cookie and the request body. Creating a project fails on the
  // missing grant; the driver's error message quotes the failing query's parameters, which include
  // the project name, i.e. the planted secret.
  const response = await fetch(`${server.url}/api/v1/projects`, {
    method: "POST",
    headers: {
      cookie: `${cookie}; planted=${PLANTED_SECRET}`,
      authorization: `Bearer ${PLANTED_SECRET}`,
      "x-planted": PLANTED_SECRET,
      "content-type": "application/json",
    },
    body: JSON.stringify({ name: `Project ${PLANTED_SECRET}`, description: `About ${PLANTED_SECRET}` }),
  });
  const requestId = response.headers.get("x-request-id");
  const found = await sentry.waitFor(() => {
    for (const envelope of sentry.envelopes) {
      for (const item of envelope.items) {
        const event = item.payload as SentryEvent;
        if (item.header.type === "event" && event.tags?.request_id === requestId)
          return { event, envelope: envelope.raw };
      }
    }
    return undefined;
  });
  failure = { status: response.status, requestId, ...found };
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sentry?.stop();
  await database?.drop();
});

describe("Sentry on the server", () => {
  it("answers the failing tenant request with a 500 and a request id", () => {
    expect(failure.status).toBe(500);
    expect(failure.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reports the exception with its type, message and stack frames", () => {
    const exceptions = failure.event.exception?.values ?? [];
    const top = exceptions.at(-1);
    expect(top?.type).toMatch(/Error$/);
    expect(top?.value).toContain("audit_events");
    expect(top?.stacktrace?.frames?.length).toBeGreaterThan(0);
    // The driver's cause is reported too (linked exceptions).
    expect(exceptions.map((exception) => exception.value).join("\n")).toContain(
      "permission denied for table audit_events",
    );
  });

  it("classifies an unexpected error in a write as P1, sent at level error", () => {
    expect(failure.event.tags?.severity).toBe("P1");
    expect((failure.event as { level?: string }).level).toBe("error");
  });

  it("sets release and environment from runtime config", () => {
    expect(failure.event.release).toBe("slipway@obs1234");
    expect(failure.event.environment).toBe("integration");
  });

  it("tags the event with the tenant, the request id and the internal user id only", () => {
    expect(failure.event.tags).toMatchObject({ tenant_id: member.tenantId, request_id: failure.requestId });
    expect(failure.event.user).toEqual({ id: member.userId });
  });

  it("reached the stand-in from the server (the network spy sees Sentry traffic when configured)", () => {
    expect(outboundConnections(server.logs)).toContain(new URL(sentry.url).host);
  });

  it("loads the SDK because a DSN is set (the module spy that proves it absent otherwise sees it)", () => {
    expect(loadedSentryPackages(server.logs)).toContain("@sentry/core");
  });

  it("sends no cookie, authorization header or secret value", () => {
    const sessionToken = cookie.split("=")[1]!;
    expect(failure.envelope).not.toContain(PLANTED_SECRET);
    expect(failure.envelope).not.toContain(sessionToken);
    expect(failure.envelope).not.toContain("slipway_session");
    expect(failure.envelope.toLowerCase()).not.toContain('"authorization"');
    expect(failure.envelope.toLowerCase()).not.toContain('"cookie"');
  });
});

describe("user content in a failed query", () => {
  it("reaches neither the logs nor Sentry: the values a user typed are redacted from database errors", async () => {
    // Not a configured secret: only the database-error redaction can keep it out.
    const typed = `typed-by-a-user-${Date.now()}`;
    const response = await fetch(`${server.url}/api/v1/projects`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: `Plans ${typed}`, description: `Notes ${typed} alice@example.com` }),
    });
    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id");
    const envelope = await sentry.waitFor(() =>
      sentry.envelopes.find((candidate) =>
        candidate.items.some(
          (item) => item.header.type === "event" && (item.payload as SentryEvent).tags?.request_id === requestId,
        ),
      ),
    );
    expect(envelope.raw).toContain("audit_events");
    expect(envelope.raw).not.toContain(typed);
    expect(server.logs.join("\n")).not.toContain(typed);
  });
});

describe("request logs", () => {
  const linesOfRequest = () => jsonLogLines(server.logs).filter((line) => line.requestId === failure.requestId);

  it("log the error and the completed request under the response's request id", () => {
    const lines = linesOfRequest();
    const error = lines.find((line) => line.msg === "unhandled error in route");
    expect(error).toMatchObject({ level: "error", tenantId: member.tenantId, userId: member.userId });
    expect(JSON.stringify(error)).toContain("permission denied for table audit_events");
    expect(lines.find((line) => line.msg === "request completed")).toMatchObject({
      method: "POST",
      route: "/api/v1/projects",
      status: 500,
      tenantId: member.tenantId,
      userId: member.userId,
    });
  });

  it("carry the trace id of the Sentry event", () => {
    const completed = linesOfRequest().find((line) => line.msg === "request completed");
    expect(completed?.traceId).toBe(failure.event.contexts?.trace?.trace_id);
  });

  it("never contain the planted secret", () => {
    expect(server.logs.join("\n")).not.toContain(PLANTED_SECRET);
  });
});

describe("tracing", () => {
  it("records a page request but no health probe or metrics scrape", async () => {
    for (const path of ["/health/live", "/health/ready", "/api/health", "/api/metrics"]) await fetch(server.url + path);
    await fetch(`${server.url}/`, { headers: { "x-request-id": "control-page-request-1" } });

    const spans = () =>
      sentry
        .items("span")
        .flatMap((item) => (item.payload as { items?: StreamedSpan[] }).items ?? [])
        .concat(
          sentry.items("transaction").map((item) => ({ name: (item.payload as { transaction: string }).transaction })),
        );
    const segmentOf = (span: StreamedSpan) => String(span.attributes?.["sentry.segment.name"]?.value ?? span.name);
    await sentry.waitFor(() => spans().find((span) => segmentOf(span) === "GET /"));
    expect(spans().filter((span) => /health|metrics/.test(segmentOf(span)))).toEqual([]);
  });
});

describe.skipIf(missingRequirement("chromium", "Sentry in the browser"))("Sentry in the browser", () => {
  it("reports a browser error through the /monitoring tunnel, never to the Sentry host directly", async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    // What the browser saw, for a failure message that says why no event arrived.
    const seen: string[] = [];
    page.on("response", (response) => {
      const { pathname } = new URL(response.url());
      if (pathname === "/monitoring" || pathname === "/runtime-config.js")
        seen.push(`${pathname} ${response.status()}`);
    });
    page.on("console", (message) => seen.push(`console.${message.type()}: ${message.text().slice(0, 200)}`));
    // Sentry has started when the SDK posts its first envelope (the session it opens at init).
    const started = page.waitForRequest(
      (request) => new URL(request.url()).pathname === "/monitoring" && request.method() === "POST",
      { timeout: 30_000 },
    );
    await page.goto(server.url, { waitUntil: "load" });
    await started.catch((error: Error) => {
      throw new Error(`${error.message}: the browser SDK never started; browser saw:\n${seen.join("\n")}`);
    });

    const marker = `browser boom ${Date.now()}`;
    await page.evaluate((message) => {
      setTimeout(() => {
        throw new Error(message);
      });
    }, marker);
    const event = await sentry.waitFor(() =>
      sentry
        .items("event")
        .map((item) => item.payload as SentryEvent)
        .find((candidate) => candidate.exception?.values?.some((value) => value.value?.startsWith(marker))),
    );

    expect(event.release).toBe("slipway@obs1234");
    expect(event.tags?.severity).toBe("P3");
    expect(requested.some((url) => new URL(url).pathname === "/monitoring")).toBe(true);
    expect(requested.filter((url) => url.startsWith(sentry.url))).toEqual([]);
  });
});

describe("an unexpected error in a read", () => {
  it("is P2, sent at level warning", async () => {
    const sql = adminSql(database.url);
    await sql`revoke select on projects from slipway_app`;
    await sql.end();
    const response = await fetch(`${server.url}/api/v1/projects`, { headers: { cookie } });
    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id");
    const event = await sentry.waitFor(() =>
      sentry
        .items("event")
        .map((item) => item.payload as SentryEvent & { level?: string })
        .find((candidate) => candidate.tags?.request_id === requestId),
    );
    expect(event.tags?.severity).toBe("P2");
    expect(event.level).toBe("warning");
  });
});
