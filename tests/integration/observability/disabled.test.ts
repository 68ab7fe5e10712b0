import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "@playwright/test";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import {
  createDatabaseMissingAuditGrant,
  loadedSentryPackages,
  MODULE_SPY,
  NET_SPY,
  outboundConnections,
  PLANTED_SECRET,
  sessionCookie,
  type BrokenDatabase,
} from "./support";

/**
 * Everything is off by default: no DSN, no metrics token, no analytics. Nothing may reach out, in
 * the browser or on the server.
 */

let database: BrokenDatabase;
let server: StandaloneServer;
let browser: Browser | undefined;

beforeAll(async () => {
  database = await createDatabaseMissingAuditGrant(inject("databaseUrl"));
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: database.url,
      SESSION_SECRET: PLANTED_SECRET,
      SENTRY_TRACES_SAMPLE_RATE: "1",
      NODE_OPTIONS: `--require ${NET_SPY} --require ${MODULE_SPY}`,
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
});

const noBrowser = missingRequirement("chromium", "browser checks of Sentry and analytics being off");

describe.skipIf(noBrowser)("in the browser, with no Sentry DSN", () => {
  it("the browser makes no request to a Sentry host or the tunnel, even on an error", async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(server.url, { waitUntil: "load" });
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error("browser boom without Sentry");
      });
    });
    await page.waitForLoadState("networkidle");

    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).pathname.startsWith("/monitoring"))).toEqual([]);
    expect(requested.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
    expect(
      await page.evaluate(
        () => (window as unknown as { __SLIPWAY_PUBLIC_CONFIG__?: { sentry: unknown } }).__SLIPWAY_PUBLIC_CONFIG__,
      ),
    ).toMatchObject({ sentry: null });
  });

  it("does not download the Sentry SDK: no script the page loads holds it", async () => {
    const page = await browser!.newPage();
    const scripts: Promise<string>[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push(response.text());
    });
    await page.goto(server.url, { waitUntil: "networkidle" });
    const bodies = await Promise.all(scripts);
    expect(bodies.length).toBeGreaterThan(0);
    // The SDK names itself in every event it sends (sdk.name "sentry.javascript.nextjs").
    expect(bodies.filter((body) => body.includes("sentry.javascript."))).toEqual([]);
  });
});

describe("with no Sentry DSN", () => {
  it("the server contacts nothing but the database while handling an unhandled error", async () => {
    const response = await fetch(`${server.url}/api/v1/projects`, {
      method: "POST",
      headers: { cookie: await sessionCookie(database.member, PLANTED_SECRET), "content-type": "application/json" },
      body: JSON.stringify({ name: "Never created" }),
    });
    expect(response.status).toBe(500);
    expect(new Set(outboundConnections(server.logs))).toEqual(new Set([new URL(database.url).host]));
  });

  it("the server never loads the Sentry SDK: not at startup, not for pages, the API or an unhandled error", async () => {
    const cookie = await sessionCookie(database.member, PLANTED_SECRET);
    for (const path of ["/", "/projects", "/api/v1/projects", "/no-such-page"]) {
      await (await fetch(`${server.url}${path}`, { headers: { cookie } })).arrayBuffer();
    }
    expect(loadedSentryPackages(server.logs)).toEqual([]);
  });

  it("the tunnel route is closed", async () => {
    const response = await fetch(`${server.url}/monitoring`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
  });
});

describe("with METRICS_TOKEN unset", () => {
  it("GET /api/metrics answers 404", async () => {
    const response = await fetch(`${server.url}/api/metrics`, {
      headers: { authorization: "Bearer anything-at-all-1234" },
    });
    expect(response.status).toBe(404);
  });
});

describe.skipIf(noBrowser)("in the browser, with analytics unset", () => {
  it("the landing page loads no third-party script", async () => {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on("request", (request) => {
      if (request.resourceType() === "script") scripts.push(request.url());
    });
    await page.goto(server.url, { waitUntil: "networkidle" });
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
    expect(await page.locator("script[data-domain], script[data-website-id]").count()).toBe(0);
  });
});
