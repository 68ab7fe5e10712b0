import { describe, expect, it, vi } from "vitest";

vi.mock("@/lib/env", () => ({ getRelease: () => ({ name: "slipway@test", version: "0.0.0", commit: "test" }) }));

const { getMetrics, observeHealth } = await import("@/lib/observability/metrics");

const sample = async () =>
  (await getMetrics().registry.metrics())
    .split("\n")
    .find((line) => line.startsWith("slipway_backup_last_success_timestamp_seconds "));

describe("slipway_backup_last_success_timestamp_seconds", () => {
  it("is absent when the app does not report backups (BACKUP_STATUS_FILE unset)", async () => {
    observeHealth(async () => ({ ready: true, checks: { database: true } }));
    expect(await sample()).toBeUndefined();
  });

  it("is the last success's end time when reported, 0 when the status file is unreadable", async () => {
    observeHealth(async () => ({ ready: true, checks: { database: true }, backupLastSuccessSeconds: 1_764_558_004 }));
    expect(await sample()).toBe("slipway_backup_last_success_timestamp_seconds 1764558004");
    observeHealth(async () => ({ ready: true, checks: { database: true }, backupLastSuccessSeconds: 0 }));
    expect(await sample()).toBe("slipway_backup_last_success_timestamp_seconds 0");
    observeHealth(async () => ({ ready: true, checks: { database: true } }));
    expect(await sample()).toBeUndefined();
  });
});
