import { describe, expect, it } from "vitest";
import { disambiguatedSlug, slugFor } from "@/lib/auth/providers/clerk/directory";
import { clerkSessionOf, roleFromClerk } from "@/lib/auth/providers/clerk/session";

describe("roleFromClerk", () => {
  it("maps org:admin to admin", () => {
    expect(roleFromClerk("org:admin")).toBe("admin");
  });

  it("maps an unprefixed admin (session claims v2 o.rol) to admin", () => {
    expect(roleFromClerk("admin")).toBe("admin");
  });

  it("maps org:member, custom roles and a missing role to member", () => {
    expect(roleFromClerk("org:member")).toBe("member");
    expect(roleFromClerk("org:billing_manager")).toBe("member");
    expect(roleFromClerk("org:administrator")).toBe("member");
    expect(roleFromClerk(undefined)).toBe("member");
  });
});

describe("clerkSessionOf", () => {
  it("is null when Clerk reports no user", () => {
    expect(clerkSessionOf({ userId: null })).toBeNull();
  });

  it("has no organization when none is active", () => {
    expect(clerkSessionOf({ userId: "user_1", orgId: null })).toEqual({
      provider: "clerk",
      key: "clerk:user_1:-",
      tenantKey: null,
      rejectionKey: "clerk:user_1",
      externalUserId: "user_1",
      organization: null,
    });
  });

  it("carries the active organization, its slug and the mapped role", () => {
    expect(clerkSessionOf({ userId: "user_1", orgId: "org_A", orgRole: "org:admin", orgSlug: "acme" })).toEqual({
      provider: "clerk",
      key: "clerk:user_1:org_A",
      tenantKey: "clerk-org:org_A",
      rejectionKey: "clerk:user_1",
      externalUserId: "user_1",
      organization: { externalOrgId: "org_A", slug: "acme", role: "admin" },
    });
  });
});

describe("slugs", () => {
  it("keeps a clean Clerk slug", () => {
    expect(slugFor("acme-inc", "org_1")).toBe("acme-inc");
  });

  it("falls back to the org id when there is no slug", () => {
    expect(slugFor(null, "org_2AbC")).toBe("org-2abc");
  });

  it("disambiguates a taken slug deterministically per organization", () => {
    expect(disambiguatedSlug("acme", "org_2AbCdEfGhIj")).toBe(disambiguatedSlug("acme", "org_2AbCdEfGhIj"));
    expect(disambiguatedSlug("acme", "org_2AbCdEfGhIj")).not.toBe(disambiguatedSlug("acme", "org_2ZzZzZzZzZz"));
  });
});
