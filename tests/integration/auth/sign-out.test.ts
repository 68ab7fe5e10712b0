import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { formLabelled, submitForm } from "../../support/forms";
import { call, startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";

/** Signing out (local mode) revokes the session, and never errors, even for a user gone meanwhile. */

const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

beforeAll(async () => {
  ({ server, cookieFor } = await startProjectsServer({ dir: inject("standaloneDir"), databaseUrl }));
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

/** The sign-out form of a page the user had open, posted back as their browser would. */
async function signOutFormOf(cookie: string) {
  const page = await (await fetch(`${server.url}/projects`, { headers: { cookie } })).text();
  return formLabelled(page, /^Sign out$/);
}

const errorLines = () => server.logs.filter((line) => /"level":(?:"error"|"fatal"|50|60)/.test(line));

describe("signing out", () => {
  it("revokes the session: the same cookie is refused afterwards", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await cookieFor(tenant.memberId, tenant.tenantId);
    const response = await submitForm(`${server.url}/projects`, await signOutFormOf(cookie), { cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toContain(`${LOCAL_SESSION_COOKIE}=;`);
    expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(401);
  });

  it("is clean for a user an operator deleted outright meanwhile: signed out, nothing logged as an error", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await cookieFor(tenant.memberId, tenant.tenantId);
    const form = await signOutFormOf(cookie);
    await admin`delete from users where id = ${tenant.memberId}`;
    const before = errorLines().length;
    const signOuts = () => server.logs.filter((line) => line.includes('"status":303')).length;
    const signOutsBefore = signOuts();
    const response = await submitForm(`${server.url}/projects`, form, { cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/\/$/);
    expect(response.headers.get("set-cookie")).toContain(`${LOCAL_SESSION_COOKIE}=;`);
    // The request's own completion line is written as it finishes: wait for it, then look.
    await expect.poll(signOuts).toBeGreaterThan(signOutsBefore);
    expect(errorLines().slice(before)).toEqual([]);
  });
});
