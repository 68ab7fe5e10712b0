import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

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

const asAdmin = (tenant: TenantFixture) => cookieFor(tenant.adminId, tenant.tenantId);
const asMember = (tenant: TenantFixture) => cookieFor(tenant.memberId, tenant.tenantId);

async function projectRow(id: string) {
  const [row] = await admin`select * from projects where id = ${id}`;
  return row;
}

async function auditActions(tenantId: string, target: string): Promise<string[]> {
  const rows = await admin<{ action: string }[]>`
    select action from audit_events where tenant_id = ${tenantId} and target = ${target} order by id`;
  return rows.map((row) => row.action);
}

describe("/api/v1/projects", () => {
  it("creates, reads, lists, renames and deletes a project, auditing each change", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await asAdmin(tenant);

    const created = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: "Launch", description: "Go live" },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: "Launch", description: "Go live", status: "active" });
    const id = created.body.data.id as string;

    const read = await call(server.url, `/api/v1/projects/${id}`, { cookie });
    expect(read.status).toBe(200);
    expect(read.body.data.id).toBe(id);

    const list = await call(server.url, "/api/v1/projects", { cookie });
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([id]);
    expect(list.body.nextCursor).toBeNull();

    const renamed = await call(server.url, `/api/v1/projects/${id}`, {
      method: "PATCH",
      cookie,
      json: { name: "Launch v2", status: "paused" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: "Launch v2", status: "paused" });

    const deleted = await call(server.url, `/api/v1/projects/${id}`, { method: "DELETE", cookie });
    expect(deleted.status).toBe(204);
    expect(await projectRow(id)).toBeUndefined();
    expect(await auditActions(tenant.tenantId, `project:${id}`)).toEqual([
      "project.created",
      "project.updated",
      "project.deleted",
    ]);
  });

  it("records who changed what in the audit event", async () => {
    const tenant = await createTenant(admin, { projects: ["Old name"] });
    await call(server.url, `/api/v1/projects/${tenant.projectIds[0]}`, {
      method: "PATCH",
      cookie: await asMember(tenant),
      json: { name: "New name" },
    });
    const [event] = await admin`
      select actor, metadata from audit_events where target = ${`project:${tenant.projectIds[0]}`}`;
    expect(event).toEqual({
      actor: tenant.memberId,
      metadata: { changes: { name: { from: "Old name", to: "New name" } } },
    });
  });

  it("returns 409 for a duplicate name in the same tenant", async () => {
    const tenant = await createTenant(admin, { projects: ["Taken"] });
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie: await asAdmin(tenant),
      json: { name: "Taken" },
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe("conflict");
  });

  it("returns 409 when renaming onto an existing name", async () => {
    const tenant = await createTenant(admin, { projects: ["One", "Two"] });
    const response = await call(server.url, `/api/v1/projects/${tenant.projectIds[1]}`, {
      method: "PATCH",
      cookie: await asAdmin(tenant),
      json: { name: "One" },
    });
    expect(response.status).toBe(409);
    expect((await projectRow(tenant.projectIds[1]!))!.name).toBe("Two");
  });

  it("allows the same name in two tenants", async () => {
    const a = await createTenant(admin, { projects: ["Shared name"] });
    const b = await createTenant(admin, { projects: [] });
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie: await asAdmin(b),
      json: { name: "Shared name" },
    });
    expect(response.status).toBe(201);
    expect(a.projectIds).toHaveLength(1);
  });

  it("refuses deletion by a member with 403 and keeps the project", async () => {
    const tenant = await createTenant(admin);
    const response = await call(server.url, `/api/v1/projects/${tenant.projectIds[0]}`, {
      method: "DELETE",
      cookie: await asMember(tenant),
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("role_not_allowed");
    expect(await projectRow(tenant.projectIds[0]!)).toBeDefined();
  });

  it("returns 401 without a session", async () => {
    const response = await call(server.url, "/api/v1/projects");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("unauthorized");
  });

  it("returns 401 for a forged session", async () => {
    const response = await call(server.url, "/api/v1/projects", { cookie: "slipway_session=not.a.jwt" });
    expect(response.status).toBe(401);
  });

  it("returns 403 when signed in without an active tenant", async () => {
    const tenant = await createTenant(admin);
    const response = await call(server.url, "/api/v1/projects", { cookie: await cookieFor(tenant.adminId) });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("no_active_tenant");
  });

  it("returns 403 when the session names a tenant the user is not a member of", async () => {
    const a = await createTenant(admin);
    const b = await createTenant(admin);
    const response = await call(server.url, "/api/v1/projects", { cookie: await cookieFor(a.adminId, b.tenantId) });
    expect(response.status).toBe(403);
  });
});

describe("tenant isolation through the API", () => {
  let a: TenantFixture;
  let b: TenantFixture;
  let cookieA: string;
  let bRowsBefore: readonly unknown[];

  beforeAll(async () => {
    a = await createTenant(admin, { projects: ["A project"] });
    b = await createTenant(admin, { projects: ["B project", "B other"] });
    cookieA = await asAdmin(a);
    bRowsBefore = await admin`select * from projects where tenant_id = ${b.tenantId} order by id`;
  });

  async function expectBUnchanged() {
    expect(await admin`select * from projects where tenant_id = ${b.tenantId} order by id`).toEqual(bRowsBefore);
    const [events] = await admin`select count(*)::int as n from audit_events where tenant_id = ${b.tenantId}`;
    expect(events!.n).toBe(0);
  }

  it("does not list another tenant's projects", async () => {
    const response = await call(server.url, "/api/v1/projects?limit=100", { cookie: cookieA });
    expect(response.body.data.map((p: { id: string }) => p.id)).toEqual(a.projectIds);
  });

  it("returns 404 for GET of another tenant's project", async () => {
    const response = await call(server.url, `/api/v1/projects/${b.projectIds[0]}`, { cookie: cookieA });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });

  it("returns 404 for PATCH of another tenant's project and changes nothing", async () => {
    const response = await call(server.url, `/api/v1/projects/${b.projectIds[0]}`, {
      method: "PATCH",
      cookie: cookieA,
      json: { name: "Hijacked" },
    });
    expect(response.status).toBe(404);
    await expectBUnchanged();
  });

  it("returns 404 for DELETE of another tenant's project and changes nothing", async () => {
    const response = await call(server.url, `/api/v1/projects/${b.projectIds[0]}`, {
      method: "DELETE",
      cookie: cookieA,
    });
    expect(response.status).toBe(404);
    await expectBUnchanged();
  });

  it("creates a project named like one of B's in A, never in B", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie: cookieA,
      json: { name: "B project" },
    });
    expect(response.status).toBe(201);
    const [row] = await admin`select tenant_id from projects where id = ${response.body.data.id}`;
    expect(row!.tenant_id).toBe(a.tenantId);
    await expectBUnchanged();
  });

  it("rejects a tenant_id in the body as an unknown field", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie: cookieA,
      json: { name: "Smuggled", tenantId: b.tenantId },
    });
    expect(response.status).toBe(400);
    await expectBUnchanged();
  });
});

describe("cursor pagination", () => {
  it("walks every project once, newest first, in pages of the requested size", async () => {
    const names = ["p1", "p2", "p3", "p4", "p5"];
    const tenant = await createTenant(admin, { projects: [] });
    // Same created_at for several rows: the id breaks ties, so nothing is skipped or repeated.
    for (const name of names) {
      await admin`insert into projects (tenant_id, name, created_at) values (${tenant.tenantId}, ${name}, '2026-01-01T00:00:00.123456Z')`;
    }
    await admin`insert into projects (tenant_id, name, created_at) values (${tenant.tenantId}, 'newest', now())`;
    const cookie = await asAdmin(tenant);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await call(server.url, `/api/v1/projects${query}`, { cookie });
      expect(response.status).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.data.map((p: { name: string }) => p.name));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(seen[0]).toBe("newest");
    expect(new Set(seen)).toEqual(new Set([...names, "newest"]));
    expect(seen).toHaveLength(6);
  });
});

describe("/projects pages", () => {
  it("redirect to /sign-in when signed out", async () => {
    const response = await fetch(`${server.url}/projects`, { redirect: "manual" });
    expect([303, 307]).toContain(response.status);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/sign-in");
  });

  it("redirect to /select-organization when signed in without a tenant", async () => {
    const tenant = await createTenant(admin);
    const response = await fetch(`${server.url}/projects`, {
      redirect: "manual",
      headers: { cookie: await cookieFor(tenant.adminId) },
    });
    expect([303, 307]).toContain(response.status);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/select-organization");
  });

  it("show the active tenant's projects only", async () => {
    const a = await createTenant(admin, { projects: ["Visible to A"] });
    const b = await createTenant(admin, { projects: ["Secret of B"] });
    const response = await fetch(`${server.url}/projects`, { headers: { cookie: await asAdmin(a) } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Visible to A");
    expect(html).not.toContain("Secret of B");
    expect(b.projectIds).toHaveLength(1);
  });

  it("show 404 for another tenant's project page", async () => {
    const a = await createTenant(admin);
    const b = await createTenant(admin, { projects: ["Secret of B"] });
    const response = await fetch(`${server.url}/projects/${b.projectIds[0]}`, {
      headers: { cookie: await asAdmin(a) },
    });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("Secret of B");
  });

  it("render the detail, edit and delete pages for the tenant's own project", async () => {
    const tenant = await createTenant(admin, { projects: ["Mine"] });
    const cookie = await asAdmin(tenant);
    for (const path of [
      `/projects/${tenant.projectIds[0]}`,
      `/projects/${tenant.projectIds[0]}/delete`,
      "/projects/new",
    ]) {
      const response = await fetch(server.url + path, { headers: { cookie } });
      expect(response.status, path).toBe(200);
    }
  });
});
