import { describe, expect, it } from "vitest";
import { refuseMemberChange } from "@/features/auth/member-rules";

const members = [
  { userId: "u-admin", role: "admin" as const },
  { userId: "u-member", role: "member" as const },
];

describe("refuseMemberChange", () => {
  it("allows promoting a member", () => {
    expect(refuseMemberChange(members, "u-member", { kind: "set-role", role: "admin" })).toBeNull();
  });

  it("allows removing a member", () => {
    expect(refuseMemberChange(members, "u-member", { kind: "remove" })).toBeNull();
  });

  it("refuses demoting or removing the last admin", () => {
    expect(refuseMemberChange(members, "u-admin", { kind: "set-role", role: "member" })).toMatch(/at least one admin/);
    expect(refuseMemberChange(members, "u-admin", { kind: "remove" })).toMatch(/at least one admin/);
  });

  it("allows demoting an admin when another admin remains", () => {
    const twoAdmins = [...members, { userId: "u-admin-2", role: "admin" as const }];
    expect(refuseMemberChange(twoAdmins, "u-admin", { kind: "set-role", role: "member" })).toBeNull();
  });

  it("refuses a change to someone who is not a member", () => {
    expect(refuseMemberChange(members, "u-stranger", { kind: "remove" })).toMatch(/not a member/);
  });
});
