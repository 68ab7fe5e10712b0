import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSentryStandIn, type SentryStandIn } from "../../support/sentry-stand-in";
import { prepareStandaloneCopy, startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { jsonLogLines, PLANTED_SECRET } from "./support";

/**
 * The Edge runtime: the landing page's Open Graph image is drawn on it (src/app/opengraph-image.tsx),
 * and its errors reach Sentry from there (sentry.edge.config.ts, reportedOnEdge) with the server's
 * scrubbing, release and environment. The failure is a broken deployment, not a switch in the code:
 * the test removes the icon the build ships beside the route from its own copy of the build.
 */

interface SentryEvent {
  release?: string;
  environment?: string;
  level?: string;
  tags?: Record<string, string>;
  contexts?: { runtime?: { name?: string } };
  exception?: { values?: { type?: string; value?: string }[] };
}

interface EdgeFunction {
  files?: string[];
  assets?: { name: string; filePath: string }[];
}

const ROUTE = "/opengraph-image/route";
let sentry: SentryStandIn;
let dir: string;
let server: StandaloneServer;

const edgeFunctionOf = (standaloneDir: string): EdgeFunction =>
  (
    JSON.parse(readFileSync(path.join(standaloneDir, ".next/server/middleware-manifest.json"), "utf8")) as {
      functions: Record<string, EdgeFunction>;
    }
  ).functions[ROUTE] ?? {};

beforeAll(async () => {
  sentry = await startSentryStandIn();
  // A copy of its own: the test breaks it.
  dir = prepareStandaloneCopy();
  server = await startStandaloneServer({
    dir,
    env: {
      DATABASE_URL: inject("databaseUrl"),
      SENTRY_DSN: sentry.dsn,
      SENTRY_ENVIRONMENT: "edge-check",
      COMMIT_SHA: "edge1234",
      // The planted secret is configuration (the session secret) and travels in the request below.
      SESSION_SECRET: PLANTED_SECRET,
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await sentry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the Open Graph image (an Edge-runtime route)", () => {
  it("runs on the Edge runtime: the build lists it among its edge functions, its icon as an asset", () => {
    const edgeFunction = edgeFunctionOf(dir);
    expect(edgeFunction.files?.length).toBeGreaterThan(0);
    expect(edgeFunction.assets?.map((asset) => asset.filePath).join("\n")).toMatch(/\.svg$/m);
  });

  it("is drawn as a 1200 × 630 PNG and referenced by the landing page's og:image", async () => {
    const landing = await (await fetch(`${server.url}/`)).text();
    const ogImage = /<meta property="og:image" content="([^"]+)"/.exec(landing)?.[1];
    expect(ogImage).toMatch(/\/opengraph-image(\?|$)/);

    const response = await fetch(server.url + new URL(ogImage!).pathname + new URL(ogImage!).search);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
  });
});

describe("an error on the Edge runtime (the image's icon is missing from the deployment)", () => {
  let event: SentryEvent;
  let envelope: string;
  let status: number;

  beforeAll(async () => {
    for (const asset of edgeFunctionOf(dir).assets ?? [])
      if (asset.filePath.endsWith(".svg")) rmSync(path.join(dir, ".next", asset.filePath));
    const response = await fetch(`${server.url}/opengraph-image?token=${PLANTED_SECRET}`, {
      headers: { cookie: `planted=${PLANTED_SECRET}`, authorization: `Bearer ${PLANTED_SECRET}` },
    });
    status = response.status;
    await response.arrayBuffer();
    ({ event, envelope } = await sentry.waitFor(() => {
      for (const received of sentry.envelopes)
        for (const item of received.items) {
          const candidate = item.payload as SentryEvent;
          if (item.header.type === "event" && candidate.tags?.route === "/opengraph-image")
            return { event: candidate, envelope: received.raw };
        }
      return undefined;
    }));
  });

  it("answers 500", () => {
    expect(status).toBe(500);
  });

  it("reaches Sentry from the Edge runtime's SDK, tagged runtime=edge", () => {
    expect(event.tags?.runtime).toBe("edge");
    // Set by the Edge SDK (@sentry/vercel-edge); the Node SDK's events say "node".
    expect(event.contexts?.runtime?.name).toBe("vercel-edge");
    expect(event.exception?.values?.length).toBeGreaterThan(0);
  });

  it("carries the server's release and environment", () => {
    expect(event.release).toBe("slipway@edge1234");
    expect(event.environment).toBe("edge-check");
  });

  it("is classified like a server error in a read (P2, level warning)", () => {
    expect(event.tags?.severity).toBe("P2");
    expect(event.level).toBe("warning");
  });

  it("is scrubbed: no cookie, authorization header or secret value", () => {
    expect(envelope).not.toContain(PLANTED_SECRET);
    expect(envelope.toLowerCase()).not.toContain('"authorization"');
    expect(envelope.toLowerCase()).not.toContain('"cookie"');
  });

  it("is reported once, by the Edge runtime: the Node runtime neither reports nor logs it", () => {
    const events = sentry
      .items("event")
      .map((item) => item.payload as SentryEvent)
      .filter((candidate) => candidate.tags?.runtime !== "edge");
    expect(events).toEqual([]);
    const lines = jsonLogLines(server.logs);
    expect(lines.filter((line) => line.msg === "unhandled error in edge route")).toEqual([
      expect.objectContaining({ level: "error", runtime: "edge", route: "/opengraph-image" }),
    ]);
    expect(lines.filter((line) => line.level === "error" && line.runtime !== "edge")).toEqual([]);
    expect(server.logs.join("\n")).not.toContain(PLANTED_SECRET);
  });
});
