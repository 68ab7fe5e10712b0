import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startAlertmanager, type AlertmanagerHandle } from "../../support/alertmanager";
import { runCommand } from "../../support/command";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { startMetricsExporter, type MetricsExporter } from "../../support/metrics-exporter";
import { PROMETHEUS_DIR } from "../../support/monitoring-files";
import { startPrometheus, type PrometheusHandle } from "../../support/prometheus";
import { startPushgateway, type PushgatewayHandle } from "../../support/pushgateway";
import { missingRequirement } from "../../support/requirements";
import { startWebhookReceiver, type ReceivedMessage, type WebhookReceiver } from "../../support/webhook-receiver";
import { createBackupRig, type BackupRig } from "../backups/support";

/**
 * A failed backup reaches the on-call receiver, on both paths:
 *
 * - compose: the real scheduler (db/pgbackrest/slipway-backup, against a real PostgreSQL and
 *   pgBackRest) fails a run, pushes the outcome to Debian's Pushgateway, Prometheus scrapes it with
 *   ops/prometheus/prometheus.yml's pushgateway job and fires SlipwayBackupFailed from the
 *   repository's rules, Alertmanager (the repository's config) delivers it to the on-call route;
 *   the next successful run resolves it.
 * - managed platforms: scripts/report-backup-run.ts, as .github/workflows/backup.yml calls it,
 *   posts the same alert to the same Alertmanager, and a failure to a Slack-compatible webhook.
 *
 * Timings: Prometheus scrapes and evaluates every second, so the rule's `for: 1m` dominates; the
 * on-call route's group_wait is shortened to 2 s (production: 5 min, so a failed run reaches the
 * on-call about 6.5 min after it ended, docs/observability.md#alerts).
 */

const skip =
  missingRequirement("pgbackrest", "the backup-failure alert") ??
  missingRequirement("postgresql", "the backup-failure alert") ??
  missingRequirement("jq", "the backup-failure alert") ??
  missingRequirement("curl", "the backup scheduler's report to the Pushgateway") ??
  missingRequirement("prometheus", "the backup-failure alert") ??
  missingRequirement("alertmanager", "the backup-failure alert") ??
  missingRequirement("pushgateway", "the backup-failure alert");

const ROOT = path.resolve(import.meta.dirname, "../../..");
const TIMINGS = {
  page: { group_wait: "1s", group_interval: "2s" },
  "on-call": { group_wait: "2s", group_interval: "2s" },
  digest: { group_wait: "1h", group_interval: "1h" },
};

interface SlackMessage {
  attachments: { title: string; text: string }[];
}
const titleOf = (message: ReceivedMessage) => (message.body as SlackMessage).attachments?.[0]?.title ?? "";
const textOf = (message: ReceivedMessage) => (message.body as SlackMessage).attachments?.[0]?.text ?? "";

let receiver: WebhookReceiver;
let alertmanager: AlertmanagerHandle;

describe.skipIf(skip)("backup failures reach the on-call receiver", () => {
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    alertmanager = await startAlertmanager({ receiverBaseUrl: receiver.url, timings: TIMINGS });
  });
  afterAll(async () => {
    await alertmanager?.stop();
    await receiver?.stop();
  });

  describe("compose: scheduler → Pushgateway → Prometheus → Alertmanager", () => {
    let rig: BackupRig;
    let pushgateway: PushgatewayHandle;
    let exporter: MetricsExporter;
    let prometheus: PrometheusHandle;

    beforeAll(async () => {
      rig = await createBackupRig();
      pushgateway = await startPushgateway();
      exporter = await startMetricsExporter();
      // The repository's pushgateway job, pointed at this Pushgateway.
      const config = parseYaml(readFileSync(path.join(PROMETHEUS_DIR, "prometheus.yml"), "utf8")) as {
        scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      };
      const job = config.scrape_configs.find((candidate) => candidate.job_name === "pushgateway")!;
      prometheus = await startPrometheus({
        targets: [exporter.target],
        metricsToken: "backup-failure-token",
        alertmanagers: [alertmanager.address],
        extraScrapeConfigs: [{ ...job, static_configs: [{ targets: [pushgateway.address] }] }],
      });
    });
    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.stop();
      await pushgateway?.stop();
      await rig?.close();
    });

    it(
      "alerts the on-call within minutes of a failed run and resolves with the next success",
      { timeout: 300_000 },
      async () => {
        const env = { BACKUP_METRICS_ENDPOINT: `${pushgateway.url}/metrics/job/slipway-backup` };
        const first = await rig.scheduler(["run", "full"], env);
        expect(first.code, first.stderr).toBe(0);

        // The repository's backups become unwritable: the next run fails.
        const backups = path.join(rig.env.PGBACKREST_REPO1_PATH!, "backup", "slipway");
        await runCommand("chmod", ["0555", backups]);
        let failed;
        try {
          failed = await rig.scheduler(["run", "diff"], env);
        } finally {
          await runCommand("chmod", ["0750", backups]);
        }
        expect(failed.code).toBe(1);
        expect(failed.stderr).not.toContain("could not report");
        const failedAt = Date.now();
        // The runbook's first command shows why.
        const status = await runRunbookBlock(runbookBlock("troubleshooting.md", "backup-status-after-failure"), {
          env: { BACKUP_STATUS_FILE: rig.env.BACKUP_STATUS_FILE! },
        });
        expect(status.code, status.stderr).toBe(0);
        expect(JSON.parse(status.stdout)).toMatchObject({
          lastAttemptOk: false,
          lastError: expect.stringMatching(/^diff backup failed on repo1 \(pgBackRest error \[\d+\]\)$/),
        });

        const [message] = await receiver.waitFor(
          (m) => m.path === "/on-call" && titleOf(m) === "[FIRING:1] P1 SlipwayBackupFailed",
          { timeoutMs: 180_000 },
        );
        console.info(`SlipwayBackupFailed delivered ${message!.receivedAt - failedAt} ms after the failed run ended`);
        expect(textOf(message!)).toMatch(/^\[P1\] SlipwayBackupFailed: The last diff database backup failed\./);
        expect(textOf(message!)).toContain("docs/runbooks/troubleshooting.md#backup-failed-slipwaybackupfailed");

        const again = await rig.scheduler(["run", "diff"], env);
        expect(again.code, again.stderr).toBe(0);
        await receiver.waitFor(
          (m) =>
            m.path === "/on-call" && titleOf(m) === "[RESOLVED] P1 SlipwayBackupFailed" && textOf(m).includes("diff"),
          { timeoutMs: 120_000 },
        );
      },
    );
  });

  describe("managed platforms: the backup workflow's report", () => {
    const report = (env: Record<string, string>) =>
      runCommand(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "scripts/report-backup-run.ts")], {
        env: {
          ALERTMANAGER_URL: "",
          ALERT_WEBHOOK_URL: "",
          RUN_URL: "https://github.com/acme/app/actions/runs/1",
          ...env,
        },
      });

    it("posts a failed run to Alertmanager, which pages the on-call route; a later success resolves it", async () => {
      const failed = await report({ OUTCOME: "failure", ALERTMANAGER_URL: alertmanager.url });
      expect(failed.code, failed.stderr).toBe(0);
      const [message] = await receiver.waitFor(
        (m) =>
          m.path === "/on-call" && titleOf(m) === "[FIRING:1] P1 SlipwayBackupFailed" && textOf(m).includes("logical"),
      );
      expect(textOf(message!)).toMatch(/^\[P1\] SlipwayBackupFailed: The last logical database backup failed\./);
      const alert = (await alertmanager.alerts()).find((a) => a.labels.job === "offsite-backup");
      expect(alert?.labels).toMatchObject({ alertname: "SlipwayBackupFailed", severity: "P1", type: "logical" });

      const succeeded = await report({ OUTCOME: "success", ALERTMANAGER_URL: alertmanager.url });
      expect(succeeded.code, succeeded.stderr).toBe(0);
      await receiver.waitFor(
        (m) =>
          m.path === "/on-call" && titleOf(m) === "[RESOLVED] P1 SlipwayBackupFailed" && textOf(m).includes("logical"),
      );
    });

    it("posts a failed run to a Slack-compatible webhook in the Alertmanager messages' layout", async () => {
      const result = await report({ OUTCOME: "failure", ALERT_WEBHOOK_URL: `${receiver.url}/chat` });
      expect(result.code, result.stderr).toBe(0);
      const [message] = await receiver.waitFor((m) => m.path === "/chat");
      expect(titleOf(message!)).toBe("[FIRING:1] P1 SlipwayBackupFailed");
      expect(textOf(message!)).toMatch(/^\[P1\] SlipwayBackupFailed: The last logical database backup failed\./);
    });

    it("refuses an invalid outcome and reports a destination that refuses, without printing its URL", async () => {
      const invalid = await report({ OUTCOME: "maybe", ALERTMANAGER_URL: alertmanager.url });
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain("OUTCOME must be success or failure");
      const refused = await report({ OUTCOME: "failure", ALERT_WEBHOOK_URL: `${alertmanager.url}/secret-path-123` });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/the alert webhook answered HTTP 4\d\d/);
      expect(refused.stderr).not.toContain("secret-path-123");
    });
  });
});
