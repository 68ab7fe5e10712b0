import { describe, expect, it } from "vitest";
import { encodeCursor } from "@/features/projects/schemas";
import {
  createProjectInput,
  listProjectsQuery,
  projectIdParams,
  updateProjectInput,
} from "@/features/projects/schemas";

describe("createProjectInput", () => {
  it("trims the name and fills defaults", () => {
    expect(createProjectInput.parse({ name: "  Launch  " })).toEqual({
      name: "Launch",
      description: "",
      status: "active",
    });
  });

  it("rejects unknown fields", () => {
    expect(createProjectInput.safeParse({ name: "x", tenantId: "y" }).success).toBe(false);
  });

  it("rejects a name of 101 characters and accepts 100", () => {
    expect(createProjectInput.safeParse({ name: "x".repeat(101) }).success).toBe(false);
    expect(createProjectInput.safeParse({ name: "x".repeat(100) }).success).toBe(true);
  });

  it("rejects a blank name", () => {
    expect(createProjectInput.safeParse({ name: "   " }).success).toBe(false);
  });
});

describe("updateProjectInput", () => {
  it("accepts any one field", () => {
    expect(updateProjectInput.parse({ status: "archived" })).toEqual({ status: "archived" });
  });

  it("rejects an empty change", () => {
    expect(updateProjectInput.safeParse({}).success).toBe(false);
  });
});

describe("projectIdParams", () => {
  it("rejects an id that is not a UUID", () => {
    expect(projectIdParams.safeParse({ id: "123" }).success).toBe(false);
  });
});

describe("listProjectsQuery", () => {
  it("defaults the limit to 20 and decodes the cursor", () => {
    const cursor = { createdAt: "2026-11-23T10:00:00.123456Z", id: "6f1c1c1e-2b7a-4c55-9d0e-3f1f1f1f1f1f" };
    expect(listProjectsQuery.parse({ cursor: encodeCursor(cursor) })).toEqual({ limit: 20, cursor });
  });

  it.each(["0", "101", "1.5", "abc"])("rejects limit=%s", (limit) => {
    expect(listProjectsQuery.safeParse({ limit }).success).toBe(false);
  });

  it("rejects unknown parameters", () => {
    expect(listProjectsQuery.safeParse({ tenant: "x" }).success).toBe(false);
  });
});
