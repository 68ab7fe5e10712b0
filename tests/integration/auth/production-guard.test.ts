import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/** Local mode in production: refused unless AUTH_MODE=local is explicit, and then loud about it; its signed cookie. */

function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["server.js"], {
      cwd: inject("standaloneDir"),
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: "0", HOSTNAME: "127.0.0.1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("production without Clerk keys", () => {
  it("refuses to start without AUTH_MODE=local, exit code 1 and a message saying what to set", async () => {
    const { code, stderr } = await runUntilExit({ DATABASE_URL: inject("databaseUrl") });
    expect(code).toBe(1);
    expect(stderr).toContain("AUTH_MODE: production needs Clerk");
    expect(stderr).toContain("AUTH_MODE=local");
  });

  it("refuses AUTH_MODE=clerk without the keys", async () => {
    const { code, stderr } = await runUntilExit({ DATABASE_URL: inject("databaseUrl"), AUTH_MODE: "clerk" });
    expect(code).toBe(1);
    expect(stderr).toContain("clerk mode needs CLERK_SECRET_KEY and NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY");
  });
});

describe("production with AUTH_MODE=local (public demo)", () => {
  let server: StandaloneServer;
  const secret = randomBytes(32).toString("hex");
  // A superuser connection for the fixtures (bypasses row-level security).
  const db = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
  let ids: { user: string; tenant: string; otherTenant: string };

  beforeAll(async () => {
    const id = randomBytes(4).toString("hex");
    const [user] = await db`insert into users (external_user_id, name) values (${`local_t${id}`}, 'Tess') returning id`;
    const [tenant] = await db`
      insert into tenants (external_org_id, slug, name) values (${`local_org${id}`}, ${`t-${id}`}, 'Tess Org') returning id`;
    const [other] = await db`
      insert into tenants (external_org_id, slug, name) values (${`local_other${id}`}, ${`o-${id}`}, 'Other') returning id`;
    await db.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenant!.id}, true)`;
      await tx`insert into memberships (tenant_id, user_id, role) values (${tenant!.id}, ${user!.id}, 'admin')`;
    });
    ids = { user: user!.id, tenant: tenant!.id, otherTenant: other!.id };
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: inject("databaseUrl"), AUTH_MODE: "local", SESSION_SECRET: secret },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await db.end();
  });

  async function me(token: string) {
    return fetch(`${server.url}/api/v1/me`, { headers: { cookie: `${LOCAL_SESSION_COOKIE}=${token}` } });
  }

  it("signs in with a session cookie signed with SESSION_SECRET", async () => {
    const response = await me(await createLocalSessionToken({ userId: ids.user, tenantId: ids.tenant }, secret));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { id: ids.user }, tenant: { id: ids.tenant }, role: "admin" });
  });

  it("treats a cookie signed with another secret as signed out", async () => {
    const forged = await createLocalSessionToken({ userId: ids.user, tenantId: ids.tenant }, "x".repeat(64));
    expect((await me(forged)).status).toBe(401);
  });

  it("gives no active tenant when the cookie names an organization the user is not a member of", async () => {
    const response = await me(await createLocalSessionToken({ userId: ids.user, tenantId: ids.otherTenant }, secret));
    expect(await response.json()).toMatchObject({ tenant: null, role: null });
  });

  it("logs a warning at start", () => {
    const warning = server.logs.find((line) => line.includes("AUTH_MODE=local in production"));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: "warn" });
  });

  it("tells the browser to show the demo banner (runtime config; the smoke suite sees the banner)", async () => {
    const script = await (await fetch(`${server.url}/runtime-config.js`)).text();
    expect(script).toContain('"demoMode":true');
  });

  it("sends a signed-out visitor of the app to sign-in", async () => {
    const response = await fetch(`${server.url}/projects`, { redirect: "manual" });
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/sign-in");
  });
});
