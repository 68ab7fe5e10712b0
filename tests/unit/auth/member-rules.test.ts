import { describe, expect, it } from "vitest";
import { refuseMemberChange } from "@/features/members/rules";

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
    const lastAdmin = { code: "last_admin", message: expect.stringMatching(/at least one admin/) };
    expect(refuseMemberChange(members, "u-admin", { kind: "set-role", role: "member" })).toEqual(lastAdmin);
    expect(refuseMemberChange(members, "u-admin", { kind: "remove" })).toEqual(lastAdmin);
  });

  it("allows demoting an admin when another admin remains", () => {
    const twoAdmins = [...members, { userId: "u-admin-2", role: "admin" as const }];
    expect(refuseMemberChange(twoAdmins, "u-admin", { kind: "set-role", role: "member" })).toBeNull();
  });

  it("refuses a change to someone who is not a member", () => {
    expect(refuseMemberChange(members, "u-stranger", { kind: "remove" })).toEqual({
      code: "not_a_member",
      message: expect.stringMatching(/not a member/),
    });
  });
});
