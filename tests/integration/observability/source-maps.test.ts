import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { FlattenMap, originalPositionFor, type TraceMap } from "@jridgewell/trace-mapping";
import type { Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * The browser's source maps (docs/observability.md, "Source maps"): the build writes one per chunk
 * with the chunk's debug ID (what Sentry matches an event's frames with), sets them aside in
 * .next/browser-source-maps/ for upload, and serves none. Proven with a real error thrown through
 * our minified code in Chromium, resolved back to the TypeScript line.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const KEPT_MAPS = path.join(ROOT, ".next/browser-source-maps");
const DEBUG_ID = /\n\/\/# debugId=([0-9a-fA-F-]{36})\s*$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

interface SourceMapFile {
  debugId?: string;
  debug_id?: string;
}

let server: StandaloneServer;
let servedStatic: string;
let browser: Browser | undefined;

beforeAll(async () => {
  servedStatic = path.join(inject("standaloneDir"), ".next/static");
  server = await startStandaloneServer({ dir: inject("standaloneDir"), env: { DATABASE_URL: inject("databaseUrl") } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The kept map of a served chunk, found by the debug ID in the chunk's last line, as Sentry finds it. */
function mapOfChunk(chunkFile: string): { map: TraceMap; debugId: string } {
  const debugId = DEBUG_ID.exec(readFileSync(chunkFile, "utf8"))?.[1];
  if (!debugId) throw new Error(`${chunkFile} carries no debug ID`);
  for (const relative of filesUnder(KEPT_MAPS).filter((file) => file.endsWith(".js.map"))) {
    const text = readFileSync(path.join(KEPT_MAPS, relative), "utf8");
    const parsed = JSON.parse(text) as SourceMapFile;
    if ((parsed.debugId ?? parsed.debug_id)?.toLowerCase() === debugId.toLowerCase())
      return { map: new FlattenMap(text), debugId };
  }
  throw new Error(`no kept source map has the debug ID ${debugId} of ${chunkFile}`);
}

/** The chunks a page loads as scripts (Next's `noModule` polyfill, prebuilt and never run by a modern browser, left out). */
async function chunksOfPage(pagePath: string): Promise<string[]> {
  const html = await (await fetch(server.url + pagePath)).text();
  return [...html.matchAll(/<script([^>]*)>/g)]
    .filter((match) => !/noModule/i.test(match[1]!))
    .flatMap((match) => /src="(\/_next\/static\/chunks\/[^"]+\.js)"/.exec(match[1]!)?.[1] ?? []);
}

describe("the build's browser source maps", () => {
  it("are set aside outside the served tree: nothing under .next/static is a map or names one", () => {
    const served = filesUnder(servedStatic);
    expect(served.filter((file) => file.endsWith(".js")).length).toBeGreaterThan(0);
    expect(served.filter((file) => file.endsWith(".map"))).toEqual([]);
    for (const file of served.filter((name) => /\.(js|css)$/.test(name)))
      expect(readFileSync(path.join(servedStatic, file), "utf8"), file).not.toMatch(/sourceMappingURL=/);
  });

  it("cover every chunk the landing and sign-in pages load, matched by the chunk's debug ID", async () => {
    const chunks = [...new Set([...(await chunksOfPage("/")), ...(await chunksOfPage("/sign-in"))])];
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      const { debugId } = mapOfChunk(path.join(servedStatic, chunk.replace("/_next/static/", "")));
      expect(debugId, chunk).toMatch(/^[0-9a-f-]{36}$/i);
    }
  });

  it("are not served: a page's chunk answers 200, its map URL 404", async () => {
    const chunks = await chunksOfPage("/");
    for (const chunk of chunks) {
      expect((await fetch(server.url + chunk)).status, chunk).toBe(200);
      const map = await fetch(`${server.url}${chunk}.map`);
      expect(map.status, `${chunk}.map`).toBe(404);
      expect(await map.text()).not.toContain('"mappings"');
    }
  });
});

describe.skipIf(missingRequirement("chromium", "resolving a browser error through the source maps"))(
  "a browser error's minified stack",
  () => {
    it("resolves through the kept maps to the TypeScript file and line that threw", async () => {
      browser = await launchChromium();
      const page = await browser.newPage();
      // A real fault in our own code's path: reading the runtime config throws (as a broken
      // /runtime-config.js or an extension tampering with the page would make it), so the error's
      // stack runs through src/lib/observability/public-config.ts, minified in a chunk.
      await page.addInitScript(() => {
        Object.defineProperty(window, "__SLIPWAY_PUBLIC_CONFIG__", {
          get() {
            // /runtime-config.js reads it too: only our chunks' reads fail.
            if (new Error().stack?.includes("/runtime-config.js")) return undefined;
            throw new Error("runtime config unreadable");
          },
        });
      });
      const stacks: string[] = [];
      page.on("pageerror", (error) => {
        if (error.message.includes("runtime config unreadable")) stacks.push(error.stack ?? "");
      });
      page.on("console", async (message) => {
        if (message.type() !== "error") return;
        for (const argument of message.args()) {
          const stack = await argument
            .evaluate((value) => (value instanceof Error ? value.stack : undefined))
            .catch(() => undefined);
          if (stack?.includes("runtime config unreadable")) stacks.push(stack);
        }
      });
      await page.goto(server.url, { waitUntil: "load" });
      const CHUNK_FRAME = /(\/_next\/static\/chunks\/[^\s:)]+\.js):(\d+):(\d+)/;
      await expect.poll(() => stacks.find((stack) => CHUNK_FRAME.test(stack)), { timeout: 15_000 }).toBeDefined();
      const stack = stacks.find((candidate) => CHUNK_FRAME.test(candidate))!;

      // The first frame in one of our chunks (the one above it is the getter defined here).
      const frame = CHUNK_FRAME.exec(stack);
      const [, chunkPath, line, column] = frame!;
      const { map } = mapOfChunk(path.join(servedStatic, chunkPath!.replace("/_next/static/", "")));
      const original = originalPositionFor(map, { line: Number(line), column: Number(column) - 1 });

      const sourceFile = "src/lib/observability/public-config.ts";
      const expectedLine =
        readFileSync(path.join(ROOT, sourceFile), "utf8")
          .split("\n")
          .findIndex((text) => text.includes("[PUBLIC_CONFIG_GLOBAL] as PublicConfig")) + 1;
      expect(expectedLine).toBeGreaterThan(0);
      expect(original.source, stack).toMatch(new RegExp(`${sourceFile.replace(/\./g, "\\.")}$`));
      expect(original.line).toBe(expectedLine);
    });
  },
);
