import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../../../support/standalone-server";
import {
  apiHeaders,
  clerkServerEnv,
  createClerkKit,
  openDatabase,
  sessionToken,
  signWebhook,
  unique,
  type ClerkKit,
} from "./test-kit";

/**
 * POST /api/webhooks/clerk on the production build: svix-signed deliveries (signed with the svix
 * library, as Clerk does) provision tenants, users and memberships; anything not authentic writes
 * nothing.
 */

let server: StandaloneServer;
let kit: ClerkKit;
let db: ReturnType<typeof openDatabase>;

beforeAll(async () => {
  kit = await createClerkKit();
  db = openDatabase(inject("databaseUrl"));
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: clerkServerEnv(kit, inject("databaseUrl")),
  });
});

afterAll(async () => {
  await server?.stop();
  await db?.end();
});

const organization = (id: string, name: string, slug: string) => ({ id, object: "organization", name, slug });
const user = (id: string, email: string, first: string) => ({
  id,
  object: "user",
  first_name: first,
  last_name: "Tester",
  primary_email_address_id: `idn_${id}`,
  email_addresses: [{ id: `idn_${id}`, email_address: email }],
});
const membership = (orgId: string, userId: string, role: string, slug = "irrelevant") => ({
  id: `orgmem_${orgId}_${userId}`,
  object: "organization_membership",
  role,
  organization: { id: orgId, name: `Org ${orgId}`, slug },
  public_user_data: { user_id: userId, identifier: `${userId}@example.com`, first_name: "Pat", last_name: null },
});

async function deliver(type: string, data: unknown, options: { id?: string; at?: Date; body?: string } = {}) {
  const body = options.body ?? JSON.stringify({ type, object: "event", data, timestamp: Date.now() });
  return fetch(`${server.url}/api/webhooks/clerk`, {
    method: "POST",
    headers: signWebhook(kit.webhookSecret, body, options),
    body,
  });
}

async function tenantRow(orgId: string) {
  const [row] = await db`select id, name, slug, deleted_at from tenants where external_org_id = ${orgId}`;
  return row;
}
async function userRow(userId: string) {
  const [row] = await db`select id, email, name, deleted_at from users where external_user_id = ${userId}`;
  return row;
}
async function membershipRole(orgId: string, userId: string) {
  const [row] = await db`
    select m.role from memberships m
    join tenants t on t.id = m.tenant_id join users u on u.id = m.user_id
    where t.external_org_id = ${orgId} and u.external_user_id = ${userId}`;
  return row?.role as string | undefined;
}
/** Rows this test's ids touched, so parallel test files sharing the database do not interfere. */
async function footprint(orgId: string, userId: string, svixId?: string) {
  const [row] = await db`
    select (select count(*) from tenants where external_org_id = ${orgId})::int as tenants,
           (select count(*) from users where external_user_id = ${userId})::int as users,
           (select count(*) from memberships m join tenants t on t.id = m.tenant_id
             where t.external_org_id = ${orgId})::int as memberships,
           (select count(*) from audit_events a join tenants t on t.id = a.tenant_id
             where t.external_org_id = ${orgId})::int as audit,
           (select count(*) from webhook_events where id = ${svixId ?? ""})::int as webhooks`;
  return row;
}
const NOTHING = { tenants: 0, users: 0, memberships: 0, audit: 0, webhooks: 0 };

describe("provisioning", () => {
  it("creates the tenant, the user and the membership, with an audit row per change", async () => {
    const id = unique();
    const [orgId, userId] = [`org_${id}`, `user_${id}`];
    expect((await deliver("organization.created", organization(orgId, "Initech", `initech-${id}`))).status).toBe(200);
    expect((await deliver("user.created", user(userId, `peter-${id}@initech.example`, "Peter"))).status).toBe(200);
    expect((await deliver("organizationMembership.created", membership(orgId, userId, "org:admin"))).status).toBe(200);

    const tenant = await tenantRow(orgId);
    expect(tenant).toMatchObject({ name: "Initech", slug: `initech-${id}`, deleted_at: null });
    expect(await userRow(userId)).toMatchObject({ email: `peter-${id}@initech.example`, name: "Peter Tester" });
    expect(await membershipRole(orgId, userId)).toBe("admin");
    const actions = await db`select action from audit_events where tenant_id = ${tenant!.id} order by id`;
    expect(actions.map((row) => row.action)).toEqual(["tenant.created", "membership.created"]);
  });

  it("ends consistent when the membership arrives before its user and organization", async () => {
    const id = unique();
    const [orgId, userId] = [`org_${id}`, `user_${id}`];
    await deliver("organizationMembership.created", membership(orgId, userId, "org:member", `early-${id}`));
    expect(await membershipRole(orgId, userId)).toBe("member");

    await deliver("user.created", user(userId, `late-${id}@example.com`, "Late"));
    await deliver("organization.created", organization(orgId, "Arrived Late", `late-${id}`));
    expect(await userRow(userId)).toMatchObject({ email: `late-${id}@example.com`, name: "Late Tester" });
    expect(await tenantRow(orgId)).toMatchObject({ name: "Arrived Late", slug: `late-${id}` });
    expect(await membershipRole(orgId, userId)).toBe("member");
  });

  it("applies role changes and membership removal", async () => {
    const id = unique();
    const [orgId, userId] = [`org_${id}`, `user_${id}`];
    await deliver("organizationMembership.created", membership(orgId, userId, "org:member"));
    await deliver("organizationMembership.updated", membership(orgId, userId, "org:admin"));
    expect(await membershipRole(orgId, userId)).toBe("admin");
    await deliver("organizationMembership.deleted", membership(orgId, userId, "org:admin"));
    expect(await membershipRole(orgId, userId)).toBeUndefined();
  });

  it("soft-deletes an organization, after which its members have no active tenant", async () => {
    const id = unique();
    const [orgId, userId] = [`org_${id}`, `user_${id}`];
    await deliver("organizationMembership.created", membership(orgId, userId, "org:admin", `gone-${id}`));
    expect((await deliver("organization.deleted", { id: orgId, object: "organization", deleted: true })).status).toBe(
      200,
    );
    expect((await tenantRow(orgId))?.deleted_at).toBeInstanceOf(Date);

    const session = await sessionToken(kit, { userId, org: { id: orgId, role: "admin", slug: `gone-${id}` } });
    const response = await fetch(`${server.url}/api/v1/projects`, { headers: apiHeaders(session) });
    expect(response.status).toBe(403);
  });

  it("keeps an organization deleted when its created event arrives after the delete", async () => {
    const orgId = `org_${unique()}`;
    await deliver("organization.deleted", { id: orgId, object: "organization", deleted: true });
    await deliver("organization.created", organization(orgId, "Zombie", `zombie-${orgId}`));
    expect((await tenantRow(orgId))?.deleted_at).toBeInstanceOf(Date);
  });

  it("soft-deletes a user and removes their memberships", async () => {
    const id = unique();
    const [orgId, userId] = [`org_${id}`, `user_${id}`];
    await deliver("organizationMembership.created", membership(orgId, userId, "org:member"));
    await deliver("user.deleted", { id: userId, object: "user", deleted: true });
    expect((await userRow(userId))?.deleted_at).toBeInstanceOf(Date);
    expect(await membershipRole(orgId, userId)).toBeUndefined();
  });

  it("acknowledges event types it does not handle without changing anything", async () => {
    const response = await deliver("session.created", { id: "sess_1", object: "session", user_id: "user_x" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ duplicate: false, changes: 0 });
  });
});

describe("redelivery", () => {
  it("is a no-op: the same svix id changes nothing the second time", async () => {
    const id = unique();
    const svixId = `msg_${id}`;
    const data = membership(`org_${id}`, `user_${id}`, "org:admin");
    const first = await deliver("organizationMembership.created", data, { id: svixId });
    expect(await first.json()).toMatchObject({ duplicate: false });
    const before = await footprint(`org_${id}`, `user_${id}`, svixId);
    expect(before).toEqual({ tenants: 1, users: 1, memberships: 1, audit: 2, webhooks: 1 });

    const again = await deliver("organizationMembership.created", data, { id: svixId });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, changes: 0 });
    expect(await footprint(`org_${id}`, `user_${id}`, svixId)).toEqual(before);
  });

  it("changes nothing when the same event is redelivered under a new id either", async () => {
    const id = unique();
    const data = membership(`org_${id}`, `user_${id}`, "org:admin");
    await deliver("organizationMembership.created", data);
    const before = await footprint(`org_${id}`, `user_${id}`);
    const again = await deliver("organizationMembership.created", data);
    expect(await again.json()).toMatchObject({ duplicate: false, changes: 0 });
    expect(await footprint(`org_${id}`, `user_${id}`)).toEqual(before);
  });
});

describe("deliveries that are not authentic or not valid", () => {
  async function expectRejected(response: Response, code: string) {
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
  }

  it("refuses a forged signature and writes nothing", async () => {
    const orgId = `org_${unique()}`;
    const body = JSON.stringify({
      type: "organization.created",
      data: organization(orgId, "Forged", `forged-${orgId}`),
    });
    const headers = signWebhook(`whsec_${Buffer.from("not-the-real-secret-at-all!!").toString("base64")}`, body);
    await expectRejected(
      await fetch(`${server.url}/api/webhooks/clerk`, { method: "POST", headers, body }),
      "webhook_signature_invalid",
    );
    expect(await footprint(orgId, "-", headers["svix-id"])).toEqual(NOTHING);
  });

  it("refuses a body altered after signing", async () => {
    const orgId = `org_${unique()}`;
    const body = JSON.stringify({ type: "organization.created", data: organization(orgId, "Original", `o-${orgId}`) });
    const headers = signWebhook(kit.webhookSecret, body);
    await expectRejected(
      await fetch(`${server.url}/api/webhooks/clerk`, {
        method: "POST",
        headers,
        body: body.replace("Original", "Tampered"),
      }),
      "webhook_signature_invalid",
    );
    expect(await footprint(orgId, "-", headers["svix-id"])).toEqual(NOTHING);
  });

  it("refuses a correctly signed delivery replayed with an old timestamp", async () => {
    const orgId = `org_${unique()}`;
    const svixId = `msg_${unique()}`;
    const response = await deliver("organization.created", organization(orgId, "Replayed", `r-${orgId}`), {
      id: svixId,
      at: new Date(Date.now() - 10 * 60 * 1000),
    });
    await expectRejected(response, "webhook_timestamp_invalid");
    expect(await footprint(orgId, "-", svixId)).toEqual(NOTHING);
  });

  it("refuses a request without the svix headers", async () => {
    const orgId = `org_${unique()}`;
    const response = await fetch(`${server.url}/api/webhooks/clerk`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "organization.created", data: organization(orgId, "No headers", `nh-${orgId}`) }),
    });
    await expectRejected(response, "webhook_headers_missing");
    expect(await footprint(orgId, "-")).toEqual(NOTHING);
  });

  it("refuses a signed body that is not JSON", async () => {
    const svixId = `msg_${unique()}`;
    await expectRejected(
      await deliver("", null, { id: svixId, body: "{this is not json" }),
      "webhook_payload_malformed",
    );
    expect(await footprint("-", "-", svixId)).toEqual(NOTHING);
  });

  it("refuses a signed event whose data is malformed", async () => {
    const svixId = `msg_${unique()}`;
    const userId = `user_${unique()}`;
    const response = await deliver(
      "organizationMembership.created",
      { role: "org:admin", organization: { name: "no id" }, public_user_data: { user_id: userId } },
      { id: svixId },
    );
    await expectRejected(response, "webhook_payload_malformed");
    expect(await footprint("-", userId, svixId)).toEqual(NOTHING);
  });
});
