import { describe, expect, it } from "vitest";
import { backupCheckFrom } from "@/lib/health/backup";

const now = Date.parse("2026-12-01T12:00:00Z");
const status = (lastSuccessAt: string | null, lastAttemptOk = true) =>
  JSON.stringify({ lastAttemptAt: "2026-12-01T03:00:04Z", lastAttemptOk, lastSuccessAt, lastError: null });

describe("the backup check", () => {
  it("is ok when the last success is under 26 hours old", () => {
    expect(backupCheckFrom(status("2026-12-01T03:00:04Z"), now)).toEqual({
      status: "ok",
      lastSuccessAt: "2026-12-01T03:00:04.000Z",
      ageSeconds: 32_396,
      lastAttemptOk: true,
    });
  });

  it("is stale past 26 hours, and when no backup ever succeeded", () => {
    expect(backupCheckFrom(status("2026-11-30T09:00:00Z"), now).status).toBe("stale");
    expect(backupCheckFrom(status(null, false), now)).toMatchObject({ status: "stale", lastAttemptOk: false });
  });

  it("is unreadable without a file or with one that is not JSON (never healthy by default)", () => {
    expect(backupCheckFrom(undefined, now).status).toBe("unreadable");
    expect(backupCheckFrom("{half", now).status).toBe("unreadable");
  });
});
