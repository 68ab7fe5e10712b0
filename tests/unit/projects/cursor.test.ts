import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "@/features/projects/schemas";

const cursor = { createdAt: "2026-11-23T10:00:00.123456Z", id: "6f1c1c1e-2b7a-4c55-9d0e-3f1f1f1f1f1f" };

describe("project cursors", () => {
  it("decode to what was encoded", () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("are URL-safe", () => {
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ["not base64url", "abc$%"],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["missing fields", Buffer.from(JSON.stringify({ t: cursor.createdAt })).toString("base64url")],
    ["extra fields", Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id, x: 1 })).toString("base64url")],
    [
      "a timestamp without microseconds",
      Buffer.from(JSON.stringify({ t: "2026-11-23T10:00:00Z", i: cursor.id })).toString("base64url"),
    ],
    [
      "an impossible date",
      Buffer.from(JSON.stringify({ t: "2026-13-45T10:00:00.000000Z", i: cursor.id })).toString("base64url"),
    ],
    [
      "an id that is not a UUID",
      Buffer.from(JSON.stringify({ t: cursor.createdAt, i: "1 or 1=1" })).toString("base64url"),
    ],
    ["too long", "A".repeat(201)],
    ["empty", ""],
  ])("reject %s", (_why, value) => {
    expect(decodeCursor(value)).toBeNull();
  });
});
