import { describe, expect, it } from "vitest";
import { hasRole } from "@/lib/auth/tenant";

describe("hasRole", () => {
  it("lets an admin act as a member and an admin", () => {
    expect(hasRole("admin", "member")).toBe(true);
    expect(hasRole("admin", "admin")).toBe(true);
  });

  it("refuses admin rights to a member", () => {
    expect(hasRole("member", "admin")).toBe(false);
  });
});
