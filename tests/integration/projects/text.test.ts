import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formLabelled, submitForm } from "../../support/forms";
import { call, startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

/**
 * Text people type, through the API and the pages' forms (@/lib/text, migration 0005): one
 * spelling per name, no text-direction tricks, nothing invisible, lengths as people count them.
 */

const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

const COMPOSED_CAFE = "Caf\u00e9";
const DECOMPOSED_CAFE = "Cafe\u0301";
const RIGHT_TO_LEFT_OVERRIDE = "invoice\u202Egnp.exe";
const ZERO_WIDTH_ONLY = "\u200b\u200c\u200b";
const EMOJI_FAMILY = "\u{1F469}\u{1F3FB}\u200d\u2764\ufe0f\u200d\u{1F48B}\u200d\u{1F468}\u{1F3FC}";

beforeAll(async () => {
  ({ server, cookieFor } = await startProjectsServer({ dir: inject("standaloneDir"), databaseUrl }));
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

async function asAdmin(tenant: TenantFixture) {
  return cookieFor(tenant.adminId, tenant.tenantId);
}

const create = async (tenant: TenantFixture, name: string) =>
  call(server.url, "/api/v1/projects", { method: "POST", cookie: await asAdmin(tenant), json: { name } });

async function storedNames(tenant: TenantFixture): Promise<string[]> {
  const rows = await admin<
    { name: string }[]
  >`select name from projects where tenant_id = ${tenant.tenantId} order by name`;
  return rows.map((row) => row.name);
}

describe("through the API", () => {
  it("refuses the NFD spelling of a name taken in NFC as the same name (409), and stores NFC", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const first = await create(tenant, DECOMPOSED_CAFE);
    expect(first.status).toBe(201);
    expect(first.body.data.name).toBe(COMPOSED_CAFE);
    const second = await create(tenant, COMPOSED_CAFE);
    expect(second.status).toBe(409);
    expect(second.body.error.details).toEqual([{ path: "name", message: "A project with this name already exists." }]);
    expect(await storedNames(tenant)).toEqual([COMPOSED_CAFE]);
  });

  it("refuses a right-to-left override with a message naming the characters", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const refused = await create(tenant, RIGHT_TO_LEFT_OVERRIDE);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      {
        path: "name",
        message: "Name must not contain text-direction override characters (U+202A to U+202E, U+2066 to U+2069).",
      },
    ]);
  });

  it("refuses a name of zero-width characters only", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const refused = await create(tenant, ZERO_WIDTH_ONLY);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].message).toBe(
      "Name must contain visible characters, not only invisible ones.",
    );
    expect(await storedNames(tenant)).toEqual([]);
  });

  it("counts a 10-code-point emoji as one character: 100 fit the name, 101 do not", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    expect((await create(tenant, EMOJI_FAMILY.repeat(100))).status).toBe(201);
    const refused = await create(tenant, `${EMOJI_FAMILY.repeat(100)}x`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].message).toBe("Name must be at most 100 characters.");
  });

  it("normalizes a rename and a description too", async () => {
    const tenant = await createTenant(admin, { projects: ["Old"] });
    const renamed = await call(server.url, `/api/v1/projects/${tenant.projectIds[0]}`, {
      method: "PATCH",
      cookie: await asAdmin(tenant),
      json: { name: DECOMPOSED_CAFE, description: `About ${DECOMPOSED_CAFE}\u200b` },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: COMPOSED_CAFE, description: `About ${COMPOSED_CAFE}` });
  });
});

describe("through the new-project form", () => {
  async function submitNewProject(tenant: TenantFixture, name: string): Promise<{ status: number; page: string }> {
    const cookie = await asAdmin(tenant);
    const page = await (await fetch(`${server.url}/projects/new`, { headers: { cookie } })).text();
    const response = await submitForm(`${server.url}/projects/new`, formLabelled(page, /Create project/), {
      cookie,
      set: { name, description: "", status: "active" },
    });
    return { status: response.status, page: await response.text() };
  }

  it("refuses the other spelling of a taken name on the form, keeping what was typed", async () => {
    const tenant = await createTenant(admin, { projects: [COMPOSED_CAFE] });
    const { status, page } = await submitNewProject(tenant, DECOMPOSED_CAFE);
    expect(status).toBe(200);
    expect(page).toContain('data-code="conflict"');
    expect(page).toContain("A project with this name already exists.");
    expect(await storedNames(tenant)).toEqual([COMPOSED_CAFE]);
  });

  it.each([
    [RIGHT_TO_LEFT_OVERRIDE, "Name must not contain text-direction override characters"],
    [ZERO_WIDTH_ONLY, "Name must contain visible characters, not only invisible ones."],
    [`${EMOJI_FAMILY.repeat(100)}x`, "Name must be at most 100 characters."],
  ])("shows a field error for %j", async (name, message) => {
    const tenant = await createTenant(admin, { projects: [] });
    const { status, page } = await submitNewProject(tenant, name);
    expect(status).toBe(200);
    expect(page).toContain('data-code="invalid_input"');
    expect(page).toContain(message);
    expect(await storedNames(tenant)).toEqual([]);
  });

  it("creates a project of 100 emoji and redirects to it", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const { status } = await submitNewProject(tenant, EMOJI_FAMILY.repeat(100));
    expect(status).toBe(303);
    expect(await storedNames(tenant)).toEqual([EMOJI_FAMILY.repeat(100)]);
  });
});

describe("in the database", () => {
  it("stores any writer's names NFC, so the unique constraint refuses the other spelling", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    await admin`insert into projects (tenant_id, name) values (${tenant.tenantId}, ${DECOMPOSED_CAFE})`;
    expect(await storedNames(tenant)).toEqual([COMPOSED_CAFE]);
    await expect(
      admin`insert into projects (tenant_id, name) values (${tenant.tenantId}, ${COMPOSED_CAFE})`,
    ).rejects.toMatchObject({ constraint_name: "projects_tenant_name_unique" });
  });
});
