import { chmodSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formLabelled, submitForm } from "../../support/forms";
import { recordSkip } from "../../support/requirements";
import { prepareStandaloneCopy, startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

/**
 * The compose stack runs the app with a read-only root filesystem (issue 14, finding 9): only /tmp
 * and /app/.next/cache are tmpfs. This runs the standalone server the same way: a copy owned by
 * root and writable by nobody, the server as an unprivileged user, through pages, a server action
 * and the API, and checks that it served everything and wrote nothing into its directory.
 */

const UNPRIVILEGED = { uid: 65534, gid: 65534 }; // nobody:nogroup
const isRoot = process.getuid?.() === 0;
if (!isRoot) recordSkip("running the server as another user needs root: the read-only root test is skipped");

/** Every path under `dir` with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const stat = statSync(full);
      entries.set(path.relative(dir, full), `${stat.size}:${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return entries;
}

function makeReadOnly(dir: string): void {
  chmodSync(dir, 0o555);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(full);
    else chmodSync(full, 0o444);
  }
}

describe.skipIf(!isRoot)("the standalone server on a read-only root filesystem", () => {
  let dir: string;
  let server: StandaloneServer;
  let tenant: TenantFixture;
  let before: Map<string, string>;

  beforeAll(async () => {
    const sql = adminSql(inject("databaseUrl"));
    tenant = await createTenant(sql, { demoUsers: true });
    await sql.end();
    dir = prepareStandaloneCopy();
    makeReadOnly(dir);
    before = snapshot(dir);
    server = await startStandaloneServer({ dir, user: UNPRIVILEGED, env: { DATABASE_URL: inject("databaseUrl") } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves pages, a server action and the API as an unprivileged user", async () => {
    for (const page of ["/", "/sign-in", "/status", "/health/ready", "/runtime-config.js"]) {
      expect((await fetch(server.url + page)).status, page).toBe(200);
    }
    expect((await fetch(`${server.url}/no-such-page`)).status).toBe(404);
    const signInPage = await (await fetch(`${server.url}/sign-in`)).text();
    const form = formLabelled(signInPage, new RegExp(`^Sign in to ${tenant.slug.replace("t-", "Tenant ")} as admin$`));
    const signedIn = await submitForm(`${server.url}/sign-in`, form);
    expect(signedIn.status).toBe(303);
    const cookie = /slipway_session=[^;]+/.exec(signedIn.headers.get("set-cookie") ?? "")![0];
    const projects = await fetch(`${server.url}/api/v1/projects`, { headers: { cookie } });
    expect(projects.status).toBe(200);
    expect((await fetch(`${server.url}/projects`, { headers: { cookie } })).status).toBe(200);
  });

  it("wrote nothing into its directory and logged no permission error", () => {
    expect(server.logs.filter((line) => /EACCES|EROFS|EPERM/.test(line))).toEqual([]);
    const after = snapshot(dir);
    const changed = [...after].filter(([file, stamp]) => before.get(file) !== stamp).map(([file]) => file);
    expect(changed).toEqual([]);
  });
});
