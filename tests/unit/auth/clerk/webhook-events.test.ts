import { describe, expect, it } from "vitest";
import { MalformedEventError, planClerkEvent } from "@/lib/auth/providers/clerk/webhook-events";

const event = (type: string, data: unknown) => JSON.stringify({ type, object: "event", data });

const membershipData = {
  id: "orgmem_1",
  role: "org:admin",
  organization: { id: "org_A", name: "Acme", slug: "acme" },
  public_user_data: { user_id: "user_1", identifier: "ada@acme.example", first_name: "Ada", last_name: "Lovelace" },
};

describe("planClerkEvent", () => {
  it("turns user.created into a user upsert with the primary email and full name", () => {
    const { changes } = planClerkEvent(
      event("user.created", {
        id: "user_1",
        first_name: "Ada",
        last_name: "Lovelace",
        primary_email_address_id: "idn_2",
        email_addresses: [
          { id: "idn_1", email_address: "old@example.com" },
          { id: "idn_2", email_address: "ada@example.com" },
        ],
      }),
    );
    expect(changes).toEqual([
      { kind: "user.upsert", externalUserId: "user_1", email: "ada@example.com", name: "Ada Lovelace" },
    ]);
  });

  it("falls back to the username when a user has no name", () => {
    const { changes } = planClerkEvent(event("user.updated", { id: "user_1", username: "ada", email_addresses: [] }));
    expect(changes).toEqual([{ kind: "user.upsert", externalUserId: "user_1", email: null, name: "ada" }]);
  });

  it("turns user.deleted into a user delete", () => {
    expect(planClerkEvent(event("user.deleted", { id: "user_1", deleted: true })).changes).toEqual([
      { kind: "user.delete", externalUserId: "user_1" },
    ]);
  });

  it("turns organization.created and .updated into a tenant upsert", () => {
    for (const type of ["organization.created", "organization.updated"]) {
      expect(planClerkEvent(event(type, { id: "org_A", name: "Acme", slug: "acme" })).changes).toEqual([
        { kind: "tenant.upsert", externalOrgId: "org_A", slug: "acme", name: "Acme" },
      ]);
    }
  });

  it("turns organization.deleted into a tenant delete", () => {
    expect(planClerkEvent(event("organization.deleted", { id: "org_A", deleted: true })).changes).toEqual([
      { kind: "tenant.delete", externalOrgId: "org_A" },
    ]);
  });

  it("makes a membership event ensure its organization and user first, so it works before their own events", () => {
    expect(planClerkEvent(event("organizationMembership.created", membershipData)).changes).toEqual([
      { kind: "tenant.ensure", externalOrgId: "org_A", slug: "acme", name: "Acme" },
      { kind: "user.ensure", externalUserId: "user_1", email: "ada@acme.example", name: "Ada Lovelace" },
      { kind: "membership.upsert", externalOrgId: "org_A", externalUserId: "user_1", role: "admin" },
    ]);
  });

  it("maps a non-admin membership role to member", () => {
    const { changes } = planClerkEvent(
      event("organizationMembership.updated", { ...membershipData, role: "org:member" }),
    );
    expect(changes.at(-1)).toEqual({
      kind: "membership.upsert",
      externalOrgId: "org_A",
      externalUserId: "user_1",
      role: "member",
    });
  });

  it("does not take a non-email identifier (phone, username) as the email", () => {
    const { changes } = planClerkEvent(
      event("organizationMembership.created", {
        ...membershipData,
        public_user_data: { user_id: "user_1", identifier: "+15550100" },
      }),
    );
    expect(changes[1]).toMatchObject({ kind: "user.ensure", email: null, name: null });
  });

  it("turns organizationMembership.deleted into a membership delete", () => {
    expect(planClerkEvent(event("organizationMembership.deleted", membershipData)).changes).toEqual([
      { kind: "membership.delete", externalOrgId: "org_A", externalUserId: "user_1" },
    ]);
  });

  it("plans nothing for event types it does not handle", () => {
    expect(planClerkEvent(event("session.created", { id: "sess_1" }))).toEqual({
      type: "session.created",
      changes: [],
    });
  });

  it("rejects a body that is not JSON", () => {
    expect(() => planClerkEvent("{not json")).toThrow(MalformedEventError);
  });

  it("rejects an envelope without type or data", () => {
    expect(() => planClerkEvent(JSON.stringify({ data: {} }))).toThrow(MalformedEventError);
    expect(() => planClerkEvent(JSON.stringify({ type: "user.created" }))).toThrow(MalformedEventError);
  });

  it("rejects a handled event whose data lacks required fields", () => {
    expect(() => planClerkEvent(event("user.created", { first_name: "no id" }))).toThrow(MalformedEventError);
    expect(() => planClerkEvent(event("organization.created", { id: "org_A" }))).toThrow(MalformedEventError);
    expect(() =>
      planClerkEvent(event("organizationMembership.created", { role: "org:admin", organization: { id: "org_A" } })),
    ).toThrow(MalformedEventError);
  });
});
