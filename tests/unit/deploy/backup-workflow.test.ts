import { describe, expect, it } from "vitest";
import { readWorkflows } from "../../../scripts/deploy-files.mjs";

/**
 * The off-site backup workflow reports every finished run to the on-call's receiver
 * (scripts/report-backup-run.ts, proven against a real Alertmanager in
 * tests/integration/monitoring/backup-failure-alert.test.ts): in a job of its own, after the backup
 * job whatever its result, with that result as OUTCOME.
 */
const workflow = readWorkflows()[".github/workflows/backup.yml"]!.data;

describe("the backup workflow's report", () => {
  it("runs after the backup job, also when it failed", () => {
    expect(workflow.jobs.report.needs).toBe("backup");
    expect(workflow.jobs.report.if).toContain("always()");
    expect(workflow.jobs.report.if).toContain("needs.backup.result == 'failure'");
  });

  it("calls the report script with the backup job's result and the destinations from secrets", () => {
    const step = workflow.jobs.report.steps.find((candidate: { run?: string }) =>
      candidate.run?.includes("scripts/report-backup-run.ts"),
    );
    expect(step?.env).toMatchObject({
      OUTCOME: "${{ needs.backup.result }}",
      ALERTMANAGER_URL: "${{ secrets.ALERTMANAGER_URL }}",
      ALERT_WEBHOOK_URL: "${{ secrets.ALERT_WEBHOOK_URL }}",
    });
  });
});
