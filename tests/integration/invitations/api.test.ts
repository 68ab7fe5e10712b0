import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

/**
 * /api/v1/invitations on the production server: invite (an outbox job per new invitation),
 * re-invite without a second job, list, revoke, accept as a signed-in user; and every bad input
 * answered with a clear 4xx that changes nothing. The email itself is the worker's
 * (tests/integration/jobs/worker.test.ts).
 */

const QUOTA = 4;
const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let secret: string;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

beforeAll(async () => {
  ({ server, cookieFor, secret } = await startProjectsServer({
    dir: inject("standaloneDir"),
    databaseUrl,
    env: { INVITATIONS_PER_DAY: String(QUOTA), RATE_LIMIT_API_WRITE: "1000/60" },
  }));
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

const asAdmin = (tenant: TenantFixture) => cookieFor(tenant.adminId, tenant.tenantId);

/** Everything an invitation request could change, for "changes nothing" assertions. */
async function stateOf(tenantId: string) {
  const [row] = await admin<{ invitations: string; audits: string; jobs: string; members: string }[]>`
    select (select count(*) from invitations where tenant_id = ${tenantId}) as invitations,
           (select count(*) from audit_events where tenant_id = ${tenantId}) as audits,
           (select count(*) from pgboss.job where data ->> 'tenantId' = ${tenantId}) as jobs,
           (select count(*) from memberships where tenant_id = ${tenantId}) as members`;
  return row;
}

/** An invitation link's token as the worker signs it (tests choose the expiry and the key). */
const linkToken = (invitationId: string, tenantId: string, expiresAt: Date, key = secret) =>
  new SignJWT({ tid: tenantId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(invitationId)
    .setAudience("slipway-invitation")
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(key));

const invite = async (tenant: TenantFixture, json: unknown) =>
  call(server.url, "/api/v1/invitations", { method: "POST", cookie: await asAdmin(tenant), json });

describe("/api/v1/invitations", () => {
  it("invites an address with a role: the invitation, its audit row and its email job commit together", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const response = await invite(tenant, { email: "New.Person@Example.com", role: "member" });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({ email: "new.person@example.com", role: "member", status: "pending" });
    const jobs = await admin`select name, data from pgboss.job where data ->> 'tenantId' = ${tenant.tenantId}`;
    expect(jobs).toEqual([
      {
        name: "invitation-email",
        data: { tenantId: tenant.tenantId, payload: { invitationId: response.body.data.id } },
      },
    ]);
    const [audit] =
      await admin`select action from audit_events where tenant_id = ${tenant.tenantId} and target = ${`invitation:${response.body.data.id}`}`;
    expect(audit!.action).toBe("invitation.created");
  });

  it("answers a re-invitation with the pending invitation and enqueues no second email", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const first = await invite(tenant, { email: "twice@example.com", role: "admin" });
    const before = await stateOf(tenant.tenantId);
    const again = await invite(tenant, { email: "TWICE@example.com", role: "admin" });
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });

  it("lists the tenant's invitations to its admins only", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const other = await createTenant(admin, { projects: [] });
    await invite(tenant, { email: "listed@example.com", role: "member" });
    await invite(other, { email: "elsewhere@example.com", role: "member" });
    const list = await call(server.url, "/api/v1/invitations", { cookie: await asAdmin(tenant) });
    expect(list.status).toBe(200);
    expect(list.body.data.map((row: { email: string }) => row.email)).toEqual(["listed@example.com"]);
    const asMember = await call(server.url, "/api/v1/invitations", {
      cookie: await cookieFor(tenant.memberId, tenant.tenantId),
    });
    expect(asMember.status).toBe(403);
  });

  it("revokes a pending invitation once; another tenant's id is a 404 that changes nothing", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const other = await createTenant(admin, { projects: [] });
    const foreign = await invite(other, { email: "foreign@example.com", role: "member" });
    const before = await stateOf(other.tenantId);
    const cookie = await asAdmin(tenant);
    const stolen = await call(server.url, `/api/v1/invitations/${foreign.body.data.id}`, { method: "DELETE", cookie });
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.code).toBe("not_found");
    expect(await stateOf(other.tenantId)).toEqual(before);

    const own = await invite(tenant, { email: "revoked@example.com", role: "member" });
    const revoked = await call(server.url, `/api/v1/invitations/${own.body.data.id}`, { method: "DELETE", cookie });
    expect(revoked.status).toBe(204);
    const again = await call(server.url, `/api/v1/invitations/${own.body.data.id}`, { method: "DELETE", cookie });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invitation_not_pending");
  });

  it.each([
    ["an invalid address", { email: "not-an-address", role: "member" }, 400, "invalid_input"],
    ["an unknown role", { email: "someone@example.com", role: "owner" }, 400, "invalid_input"],
    ["an unknown field", { email: "someone@example.com", role: "member", tenantId: "x" }, 400, "invalid_input"],
    ["no body fields", {}, 400, "invalid_input"],
  ])("refuses %s with a 4xx and changes nothing", async (_what, json, status, code) => {
    const tenant = await createTenant(admin, { projects: [] });
    const before = await stateOf(tenant.tenantId);
    const response = await invite(tenant, json);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });

  it("refuses a member (not an admin) and an address that is already a member", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const before = await stateOf(tenant.tenantId);
    const byMember = await call(server.url, "/api/v1/invitations", {
      method: "POST",
      cookie: await cookieFor(tenant.memberId, tenant.tenantId),
      json: { email: "someone@example.com", role: "member" },
    });
    expect(byMember.status).toBe(403);
    const [member] = await admin<{ email: string }[]>`select email from users where id = ${tenant.memberId}`;
    const existing = await invite(tenant, { email: member!.email, role: "admin" });
    expect(existing.status).toBe(409);
    expect(existing.body.error.code).toBe("already_member");
    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });

  it(`stops an organization at ${QUOTA} invitations a day (429) without writing the one over`, async () => {
    const tenant = await createTenant(admin, { projects: [] });
    for (let index = 0; index < QUOTA; index++) {
      expect((await invite(tenant, { email: `bulk${index}@example.com`, role: "member" })).status).toBe(201);
    }
    const before = await stateOf(tenant.tenantId);
    const over = await invite(tenant, { email: "one-too-many@example.com", role: "member" });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("invitation_quota_exceeded");
    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });
});

describe("/api/v1/invitations/accept", () => {
  /** An invitation of `tenant` addressed to `user`'s email (another tenant's member). */
  async function invitationFor(tenant: TenantFixture, userId: string) {
    const [user] = await admin<{ email: string }[]>`select email from users where id = ${userId}`;
    const response = await invite(tenant, { email: user!.email, role: "member" });
    return response.body.data as { id: string; expiresAt: string };
  }
  const accept = async (userId: string, token: string) =>
    call(server.url, "/api/v1/invitations/accept", {
      method: "POST",
      cookie: await cookieFor(userId),
      json: { token },
    });

  it("makes the signed-in invitee a member, once: the same link again is a 410 that changes nothing", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const home = await createTenant(admin, { projects: [] });
    const invitation = await invitationFor(tenant, home.memberId);
    const token = await linkToken(invitation.id, tenant.tenantId, new Date(invitation.expiresAt));
    const accepted = await accept(home.memberId, token);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toEqual({ tenantId: tenant.tenantId, role: "member" });
    const [membership] =
      await admin`select role from memberships where tenant_id = ${tenant.tenantId} and user_id = ${home.memberId}`;
    expect(membership!.role).toBe("member");

    const before = await stateOf(tenant.tenantId);
    const reused = await accept(home.memberId, token);
    expect(reused.status).toBe(410);
    expect(reused.body.error.code).toBe("invitation_used");
    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });

  it("refuses an expired link (410), a forged one (400) and another address's (403), changing nothing", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const home = await createTenant(admin, { projects: [] });
    const invitation = await invitationFor(tenant, home.memberId);
    const before = await stateOf(tenant.tenantId);

    const expired = await accept(
      home.memberId,
      await linkToken(invitation.id, tenant.tenantId, new Date(Date.now() - 60_000)),
    );
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe("invitation_expired");

    const forged = await accept(
      home.memberId,
      await linkToken(
        invitation.id,
        tenant.tenantId,
        new Date(invitation.expiresAt),
        "another-secret-0123456789abcdef0123",
      ),
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe("invalid_invitation_link");

    const garbage = await accept(home.memberId, "not a token");
    expect(garbage.status).toBe(400);

    const token = await linkToken(invitation.id, tenant.tenantId, new Date(invitation.expiresAt));
    const wrongPerson = await accept(home.adminId, token);
    expect(wrongPerson.status).toBe(403);
    expect(wrongPerson.body.error.code).toBe("invitation_for_another_address");

    expect(await stateOf(tenant.tenantId)).toEqual(before);
  });

  it("refuses a revoked invitation's link (410)", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const home = await createTenant(admin, { projects: [] });
    const invitation = await invitationFor(tenant, home.memberId);
    await call(server.url, `/api/v1/invitations/${invitation.id}`, { method: "DELETE", cookie: await asAdmin(tenant) });
    const response = await accept(
      home.memberId,
      await linkToken(invitation.id, tenant.tenantId, new Date(invitation.expiresAt)),
    );
    expect(response.status).toBe(410);
    expect(response.body.error.code).toBe("invitation_revoked");
  });
});
