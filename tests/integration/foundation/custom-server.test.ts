import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { formLabelled, formsIn } from "../../support/forms";
import { migrateDatabase } from "../../support/migrate";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createEmptyDatabase } from "../../support/tenants";

/**
 * The contracts the server process (src/server.ts, ADR 0063) keeps with Next's internals
 * (docs/framework-contracts.md): each test fails when a Next upgrade changes what the server relies
 * on, before a release does.
 */

const root = path.resolve(import.meta.dirname, "../../..");
const standalone = () => inject("standaloneDir");
const nextFile = (relative: string) =>
  readFileSync(path.join(standalone(), "node_modules/next/dist", relative), "utf8");

let server: StandaloneServer;
let dropDatabase: () => Promise<void>;
const admin = adminSql(inject("databaseUrl"));

beforeAll(async () => {
  const database = await createEmptyDatabase(admin, inject("databaseUrl"));
  dropDatabase = database.drop;
  await migrateDatabase(database.url);
  await seedDatabase(database.url);
  server = await startStandaloneServer({ dir: standalone(), env: { DATABASE_URL: database.url } });
});

afterAll(async () => {
  await server?.stop();
  await dropDatabase?.();
  await admin.end();
});

describe("the standalone config handoff (__NEXT_PRIVATE_STANDALONE_CONFIG)", () => {
  it("reads the same config Next's own generated server would pass (.next/required-server-files.json)", () => {
    const generated = readFileSync(path.join(root, ".next/next-generated-server.js"), "utf8");
    expect(generated).toContain("process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(nextConfig)");
    const literal = JSON.parse(/const nextConfig = (\{.*\})\n/.exec(generated)![1]!) as { distDir: string };
    const { config } = JSON.parse(
      readFileSync(path.join(standalone(), ".next/required-server-files.json"), "utf8"),
    ) as { config: { distDir: string } };
    expect({ ...config, distDir: path.normalize(config.distDir) }).toEqual({
      ...literal,
      distDir: path.normalize(literal.distDir),
    });
    expect(nextFile("server/config.js")).toContain("process.env.__NEXT_PRIVATE_STANDALONE_CONFIG");
  });

  it("serves with the build's config: its headers() and no X-Powered-By", async () => {
    const response = await fetch(`${server.url}/health/live`);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});

describe("the origin Next calls itself at (__NEXT_PRIVATE_ORIGIN)", () => {
  it("is where a server action's redirect fetches the next page, also behind a TLS-terminating proxy", async () => {
    expect(nextFile("server/app-render/action-handler.js")).toContain("process.env.__NEXT_PRIVATE_ORIGIN");
    const page = await fetch(`${server.url}/sign-in`);
    const form = formLabelled(await page.text(), /./);
    const metadata = form.fields.find(([name]) => /^\$ACTION_\d+:0$/.test(name));
    const { id } = JSON.parse(metadata![1]) as { id: string };
    // The browser's own encoding of the form action (captured from Chromium): state, then the form's fields.
    const body = new FormData();
    for (const [name, value] of form.fields) body.append(`_1_${name}`, value);
    body.append("0", '[{"status":"idle"},"$K1"]');
    const response = await fetch(`${server.url}/sign-in`, {
      method: "POST",
      body,
      headers: {
        origin: server.url,
        "next-action": id,
        accept: "text/x-component",
        "x-forwarded-proto": "https",
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-action-redirect")).toMatch(/^\/(projects|select-organization);/);
    // The next page rendered in the same response: Next fetched it from itself.
    expect(response.headers.get("content-type")).toContain("text/x-component");
    expect((await response.text()).length).toBeGreaterThan(100);
    expect(server.logs.filter((line) => line.includes("failed to get redirect response"))).toEqual([]);
  });
});

describe("server-action ids", () => {
  it("are 42 lowercase hex digits in this build, the format the pipeline's Next-Action check accepts", () => {
    const manifest = JSON.parse(
      readFileSync(path.join(standalone(), ".next/server/server-reference-manifest.json"), "utf8"),
    ) as { node: Record<string, unknown> };
    const ids = Object.keys(manifest.node);
    expect(ids.length).toBeGreaterThan(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{42}$/);
  });

  it("are what the pages' forms carry", async () => {
    const html = await (await fetch(`${server.url}/sign-in`)).text();
    const fields = formsIn(html).flatMap((form) => form.fields);
    const carried = fields.filter(([name]) => /^\$ACTION_\d+:0$/.test(name));
    expect(carried.length).toBeGreaterThan(0);
    for (const [, value] of carried) expect((JSON.parse(value) as { id: string }).id).toMatch(/^[0-9a-f]{42}$/);
  });
});

describe("the server bundle", () => {
  it("replaces Next's generated server and keeps what the standalone output ships external", () => {
    const bundle = readFileSync(path.join(standalone(), "server.js"), "utf8");
    expect(bundle).not.toContain("startServer(");
    expect(bundle).toMatch(/import\("next"\)|from "next"/);
    // Every package the bundle leaves to node_modules is in the standalone output's trace.
    const external = [...bundle.matchAll(/(?:from |import\()"([^"./][^"]*)"/g)]
      .map((match) => match[1]!)
      .filter((specifier) => !specifier.startsWith("node:"))
      .map((specifier) =>
        specifier
          .split("/")
          .slice(0, specifier.startsWith("@") ? 2 : 1)
          .join("/"),
      );
    const shipped = readdirSync(path.join(standalone(), "node_modules"));
    for (const name of new Set(external)) expect(shipped, name).toContain(name.split("/")[0]);
  });
});
