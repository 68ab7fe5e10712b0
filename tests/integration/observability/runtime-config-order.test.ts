import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "@playwright/test";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startSentryStandIn, type SentryStandIn } from "../../support/sentry-stand-in";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * The browser's runtime config (/runtime-config.js, a deferred script) may run before or after
 * Next's async chunks, while the document is loading or already "interactive". Whatever the
 * order, Sentry, the analytics provider's script and the demo banner must start on every page load. The test delays the config
 * script at the browser's side (Playwright's route interception; the app is unchanged) by 0, 300
 * and 1 000 ms and loads pages until each delay has had LOADS_PER_DELAY loads.
 */

/**
 * 20, not more: with the chunks cached, the order that lost the race (chunks before a delayed config
 * script) happens on nearly every delayed load, so 20 show it as surely as 50 did, at 2 minutes of a
 * CI run instead of 7.
 */
const LOADS_PER_DELAY = 20;
const DELAYS_MS = [0, 300, 1000];
/** Pages loading at once: the loads overlap, which also makes the machine as busy as a slow visitor's. */
const CONCURRENT_PAGES = 3;
/** The analytics provider's script, served by the test at the browser's side (the provider is unreachable). */
const ANALYTICS_SCRIPT_URL = "http://analytics.test/js/script.js";

let sentry: SentryStandIn;
let server: StandaloneServer;
let browser: Browser | undefined;

beforeAll(async () => {
  sentry = await startSentryStandIn();
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
      SENTRY_ENVIRONMENT: "integration",
      NEXT_PUBLIC_ANALYTICS_PROVIDER: "plausible",
      NEXT_PUBLIC_ANALYTICS_DOMAIN: "slipway.test",
      NEXT_PUBLIC_ANALYTICS_SCRIPT_URL: ANALYTICS_SCRIPT_URL,
      // Every load sends a session (and a page-load trace) through the tunnel, from one address.
      RATE_LIMIT_TUNNEL: "10000/60",
      RATE_LIMIT_WEB_VITALS: "10000/60",
      // Every page of every load comes from this one address, each fetching its chunks at once: the
      // server's per-client fairness limit (20 in flight) would refuse some with 429 and the app
      // would not boot, which is not what this test is about.
      MAX_IN_FLIGHT_PER_CLIENT: "100",
    },
    timeoutMs: 90_000,
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sentry?.stop();
});

interface LoadResult {
  sentryStarted: boolean;
  analytics: boolean;
  banner: boolean;
  /** Responses that were not 2xx/3xx (a refused chunk would explain a failure). */
  refused: string[];
}

/** How long one load may take to show all three, counted from when its document has loaded. */
const SETTLE_MS = 30_000;

/**
 * One page load with the config script `delayMs` late. Sentry has started when the browser SDK
 * posts its first envelope (the session it opens at init) to the /monitoring tunnel; analytics when
 * the provider's script has run; the banner when it is rendered. Without a start nothing ever
 * appears, so the wait is bounded, and it starts once the document has loaded (a busy machine may
 * take long to get there).
 */
async function loadOnce(page: Page, path: string, delayMs: number): Promise<LoadResult> {
  let sentryStarted = false;
  const refused: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/monitoring" && request.method() === "POST") sentryStarted = true;
  });
  page.on("response", (response) => {
    if (response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.route("**/runtime-config.js", async (route) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await route.continue();
  });
  await page.route(ANALYTICS_SCRIPT_URL, (route) =>
    route.fulfill({ contentType: "text/javascript", body: "window.__analyticsRan = true;" }),
  );
  await page.goto(server.url + path, { waitUntil: "load", timeout: 60_000 });
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const shown = await page.evaluate(() => ({
      analytics: (window as { __analyticsRan?: boolean }).__analyticsRan === true,
      banner: document.querySelector('[data-testid="local-mode-banner"]') !== null,
    }));
    if ((sentryStarted && shown.analytics && shown.banner) || Date.now() > deadline) {
      await page.unrouteAll({ behavior: "ignoreErrors" });
      return { sentryStarted, ...shown, refused };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(missingRequirement("chromium", "the runtime config's load order in a browser"))(
  "the browser's runtime config",
  () => {
    it(`starts Sentry, analytics and the demo banner on every one of ${LOADS_PER_DELAY} loads per config delay (${DELAYS_MS.join(", ")} ms)`, async () => {
      browser = await launchChromium();
      const failures: string[] = [];
      const counts = new Map<number, number>();
      const jobs = DELAYS_MS.flatMap((delayMs) =>
        Array.from({ length: LOADS_PER_DELAY }, (_, index) => ({ delayMs, path: index % 2 ? "/status" : "/" })),
      );
      const worker = async () => {
        // One context per worker, a fresh page per load: after the first load Next's chunks come from
        // the browser's cache and run at once, long before a delayed config script (the order that
        // lost the race), and a load costs a fraction of an uncached one.
        const context = await browser!.newContext();
        try {
          for (let job = jobs.shift(); job; job = jobs.shift()) {
            const page = await context.newPage();
            try {
              const result = await loadOnce(page, job.path, job.delayMs);
              counts.set(job.delayMs, (counts.get(job.delayMs) ?? 0) + 1);
              if (!result.sentryStarted || !result.analytics || !result.banner)
                failures.push(`${job.path} delayed ${job.delayMs} ms: ${JSON.stringify(result)}`);
            } finally {
              await page.close();
            }
          }
        } finally {
          await context.close();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT_PAGES }, worker));

      expect(failures).toEqual([]);
      expect(Object.fromEntries(counts)).toEqual(
        Object.fromEntries(DELAYS_MS.map((delay) => [delay, LOADS_PER_DELAY])),
      );
    }, 600_000);
  },
);
