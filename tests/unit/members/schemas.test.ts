import { describe, expect, it } from "vitest";
import { changeMemberRoleForm, changeMemberRoleInput, memberIdParams } from "@/features/members/schemas";

const userId = "6f1c0a3e-6f2b-4b7e-9d38-1f1c7c2a9a10";

describe("member schemas", () => {
  it("accept a role change naming a member and a role", () => {
    expect(changeMemberRoleForm.parse({ userId, role: "member" })).toEqual({ userId, role: "member" });
    expect(changeMemberRoleInput.parse({ role: "admin" })).toEqual({ role: "admin" });
  });

  it("refuse an unknown role, a malformed id and unknown fields", () => {
    expect(changeMemberRoleInput.safeParse({ role: "owner" }).success).toBe(false);
    expect(memberIdParams.safeParse({ userId: "42" }).success).toBe(false);
    expect(changeMemberRoleForm.safeParse({ userId, role: "admin", tenantId: userId }).success).toBe(false);
  });
});
