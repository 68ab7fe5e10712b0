import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../../support/standalone-server";
import {
  apiHeaders,
  clerkServerEnv,
  createClerkKit,
  pageHeaders,
  sessionToken,
  unique,
  type ClerkKit,
  type SessionOptions,
} from "./test-kit";

/**
 * The production build in Clerk mode, with session tokens the test signs itself (networkless
 * verification through CLERK_JWT_KEY). Users and organizations are provisioned lazily from the
 * tokens on first use; projects are created through the API.
 */

let server: StandaloneServer;
let kit: ClerkKit;

const id = unique();
const orgA = { id: `org_a${id}`, slug: `acme-${id}` };
const orgB = { id: `org_b${id}`, slug: `globex-${id}` };
const ada = `user_ada${id}`; // admin of A, member of B
const bo = `user_bo${id}`; // member of A

async function api(path: string, session: SessionOptions | undefined, init: RequestInit = {}) {
  const headers = session ? apiHeaders(await sessionToken(kit, session)) : apiHeaders();
  return fetch(server.url + path, {
    ...init,
    headers: { ...headers, ...(init.headers as object) },
    redirect: "manual",
  });
}

async function page(path: string, session?: SessionOptions) {
  const headers = pageHeaders(session ? await sessionToken(kit, session) : undefined);
  return fetch(server.url + path, { headers, redirect: "manual" });
}

async function createProject(session: SessionOptions, name: string): Promise<string> {
  const response = await api("/api/v1/projects", session, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

const adaInA: SessionOptions = { userId: ada, org: { ...orgA, role: "admin" } };
const adaInB: SessionOptions = { userId: ada, org: { ...orgB, role: "member" } };
const boInA: SessionOptions = { userId: bo, org: { ...orgA, role: "member" } };

let projectA: string;
let projectB: string;

beforeAll(async () => {
  kit = await createClerkKit();
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: clerkServerEnv(kit, inject("databaseUrl")),
  });
  projectA = await createProject(adaInA, `A only ${id}`);
  // Carol, an admin of B, creates B's project.
  projectB = await createProject({ userId: `user_carol${id}`, org: { ...orgB, role: "admin" } }, `B only ${id}`);
});

afterAll(async () => {
  await server?.stop();
});

describe("signed out", () => {
  it("redirects a page visit to sign-in", async () => {
    const response = await page("/projects");
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/sign-in");
  });

  it("answers the API with 401 JSON, never a redirect", async () => {
    const response = await api("/api/v1/projects", undefined);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });

  it("serves the landing page", async () => {
    expect((await page("/")).status).toBe(200);
  });
});

describe("signed in with a self-signed session token", () => {
  it("shows a user of organization A only A's projects (page, session cookie)", async () => {
    const response = await page("/projects", adaInA);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`A only ${id}`);
    expect(html).not.toContain(`B only ${id}`);
  });

  it("lists only A's projects through the API (bearer token)", async () => {
    const response = await api("/api/v1/projects?limit=100", adaInA);
    expect(response.status).toBe(200);
    const names = ((await response.json()) as { data: { name: string }[] }).data.map((project) => project.name);
    expect(names).toContain(`A only ${id}`);
    expect(names).not.toContain(`B only ${id}`);
  });

  it("shows B's projects once the token's active organization (o claim) is B", async () => {
    const html = await (await page("/projects", adaInB)).text();
    expect(html).toContain(`B only ${id}`);
    expect(html).not.toContain(`A only ${id}`);
  });

  it("answers 404 for another organization's project", async () => {
    expect((await api(`/api/v1/projects/${projectB}`, adaInA)).status).toBe(404);
  });

  it("reports the internal user, tenant and role mapped from the token", async () => {
    const response = await api("/api/v1/me", adaInA);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ tenant: { slug: orgA.slug }, role: "admin" });
  });

  it("sends a signed-in user without an active organization to organization selection", async () => {
    const response = await page("/projects", { userId: ada });
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/select-organization");
  });

  it("answers the tenant API with 403 JSON when no organization is active", async () => {
    const response = await api("/api/v1/projects", { userId: ada });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("no_active_tenant");
  });
});

describe("auth pages in Clerk mode", () => {
  it("renders the sign-in page with Clerk's component", async () => {
    expect((await page("/sign-in")).status).toBe(200);
  });

  it("renders organization selection for a signed-in user without an organization", async () => {
    const response = await page("/select-organization", { userId: ada });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Choose an organization");
  });

  it("lists the organization's members read-only (Clerk manages memberships)", async () => {
    const response = await page("/members", adaInA);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("organization settings");
    expect(html).not.toContain(">Remove<");
  });
});

describe("roles", () => {
  it("refuses deletion to a member with 403 and keeps the project", async () => {
    const response = await api(`/api/v1/projects/${projectA}`, boInA, { method: "DELETE" });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("role_not_allowed");
    expect((await api(`/api/v1/projects/${projectA}`, adaInA)).status).toBe(200);
  });

  it("lets an admin delete", async () => {
    const doomed = await createProject(adaInA, `Doomed ${id}`);
    expect((await api(`/api/v1/projects/${doomed}`, adaInA, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/v1/projects/${doomed}`, adaInA)).status).toBe(404);
  });

  it("follows the role in the token when Clerk changes it (member promoted to admin)", async () => {
    const promoted: SessionOptions = { userId: `user_dee${id}`, org: { ...orgA, role: "member" } };
    expect(((await (await api("/api/v1/me", promoted)).json()) as { role: string }).role).toBe("member");
    const asAdmin: SessionOptions = { ...promoted, org: { ...orgA, role: "admin" } };
    expect(((await (await api("/api/v1/me", asAdmin)).json()) as { role: string }).role).toBe("admin");
  });
});

describe("tokens that must not sign anyone in", () => {
  it("treats a token for another authorized party (azp) as signed out", async () => {
    const response = await api("/api/v1/projects", { ...adaInA, azp: "https://evil.example" });
    expect(response.status).toBe(401);
  });

  it("treats an expired token as signed out", async () => {
    const response = await api("/api/v1/projects", { ...adaInA, expiresIn: -120 });
    expect(response.status).toBe(401);
  });

  it("treats a token signed with another key as signed out", async () => {
    const otherKit = await createClerkKit();
    const token = await sessionToken(otherKit, adaInA);
    const response = await fetch(`${server.url}/api/v1/projects`, { headers: apiHeaders(token) });
    expect(response.status).toBe(401);
  });

  it("never sends a page visit with an expired token to the projects", async () => {
    const response = await page("/projects", { ...adaInA, expiresIn: -120 });
    // Clerk answers with a sign-in redirect or a handshake redirect to Clerk; never the page.
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).not.toMatch(/^\/projects/);
  });
});

describe("health probes", () => {
  // An expired session token on a document request makes Clerk answer with a redirect (handshake).
  const expiredCookies = async () => pageHeaders(await sessionToken(kit, { ...adaInA, expiresIn: -120 }));

  // (/status: a public page the proxy runs for; the prerendered landing page skips the proxy.)
  it("would be redirected by Clerk with an expired session cookie on a normal page", async () => {
    const response = await fetch(`${server.url}/status`, { headers: await expiredCookies(), redirect: "manual" });
    expect(response.status).toBe(307);
  });

  it("never pass through Clerk, even with that expired session cookie", async () => {
    const headers = await expiredCookies();
    for (const path of ["/health/live", "/health/ready", "/api/health"]) {
      const response = await fetch(server.url + path, { headers, redirect: "manual" });
      expect(response.status, path).not.toBe(307);
    }
  });
});

describe("secrets from files", () => {
  it("signs in with the Clerk secret key given as CLERK_SECRET_KEY_FILE", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-clerk-secret-"));
    const env = clerkServerEnv(kit, inject("databaseUrl"));
    writeFileSync(path.join(dir, "clerk_secret_key"), `${env.CLERK_SECRET_KEY}\n`);
    const fromFile = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { ...env, CLERK_SECRET_KEY: undefined, CLERK_SECRET_KEY_FILE: path.join(dir, "clerk_secret_key") },
    });
    try {
      const response = await fetch(`${fromFile.url}/api/v1/me`, {
        headers: apiHeaders(await sessionToken(kit, adaInA)),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ role: "admin", tenant: { slug: orgA.slug } });
      const html = await (
        await fetch(`${fromFile.url}/projects`, { headers: pageHeaders(await sessionToken(kit, adaInA)) })
      ).text();
      expect(html).toContain(`A only ${id}`);
    } finally {
      await fromFile.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
