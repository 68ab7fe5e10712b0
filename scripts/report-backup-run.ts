/**
 * Reports a backup run to the people who act on it, for deployments where no scheduler pushes
 * metrics (the managed platforms' off-site backup, .github/workflows/backup.yml): the alert
 * SlipwayBackupFailed, with the labels and annotations of the Prometheus rule of that name
 * (ops/prometheus/rules/health.yml), so it reaches the same Alertmanager route, receiver and message
 * layout as the compose stack's.
 *
 *   OUTCOME=failure RUN_URL=https://… ALERTMANAGER_URL=https://alertmanager.example.com \
 *     npx tsx scripts/report-backup-run.ts
 *
 * Environment:
 *   OUTCOME              success or failure (the backup job's result)
 *   RUN_URL              the workflow run, linked from the alert (generatorURL)
 *   ALERTMANAGER_URL     optional: POST /api/v2/alerts there. A failure fires the alert for 48 h
 *                        (the next run resolves it sooner); a success resolves it (Alertmanager sends
 *                        "resolved" only if it had sent "firing").
 *   ALERTMANAGER_TOKEN   optional: sent as Authorization: Bearer (an Alertmanager behind a proxy)
 *   ALERT_WEBHOOK_URL    optional: a Slack-compatible incoming webhook, the one Alertmanager posts to
 *                        (secrets/alertmanager_webhook_url.txt on compose); a failure is posted there
 *                        directly, in the layout of ops/alertmanager/slipway.tmpl
 * With neither destination it says so and exits 0: GitHub's own e-mail is then the only notice.
 * Exits 1 when a destination refuses the report or the input is invalid.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";

const RULES_FILE = path.resolve(import.meta.dirname, "../ops/prometheus/rules/health.yml");
const ALERT_NAME = "SlipwayBackupFailed";
/** How long a reported failure stays firing without another report (daily runs: two missed days). */
const FAILURE_VALID_MS = 48 * 3600 * 1000;

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** The rule's `{{ $labels.name }}` placeholders filled from `labels`; nothing else is templated. */
function fill(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? "");
}

/** Pure: the alert for a run's outcome at `now`, from the repository's rule. */
function backupAlert(options: { outcome: "success" | "failure"; runUrl?: string; now: Date; rules: string }): Alert {
  const groups = (parseYaml(options.rules) as { groups: { rules: Rule[] }[] }).groups;
  const rule = groups.flatMap((group) => group.rules).find((candidate) => candidate.alert === ALERT_NAME);
  if (!rule) throw new Error(`${RULES_FILE} has no alert ${ALERT_NAME}`);
  const labels = { alertname: ALERT_NAME, ...rule.labels, job: "offsite-backup", type: "logical" };
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations ?? {}).map(([key, value]) => [key, fill(value, labels)]),
  );
  const endsAt = options.outcome === "failure" ? new Date(options.now.getTime() + FAILURE_VALID_MS) : options.now;
  return {
    labels,
    annotations,
    startsAt: options.now.toISOString(),
    endsAt: endsAt.toISOString(),
    ...(options.runUrl ? { generatorURL: options.runUrl } : {}),
  };
}

/** Pure: the Slack-compatible message of a firing alert, laid out as ops/alertmanager/slipway.tmpl does. */
function webhookMessage(alert: Alert): { text: string; attachments: { title: string; text: string }[] } {
  const { severity, alertname } = alert.labels;
  const title = `[FIRING:1] ${severity} ${alertname}`;
  const text = `[${severity}] ${alertname}: ${alert.annotations.summary}. ${alert.annotations.description} Runbook: ${alert.annotations.runbook_url}\n`;
  return { text: title, attachments: [{ title, text }] };
}

function readOutcome(value: string | undefined): "success" | "failure" {
  if (value === "success" || value === "failure") return value;
  throw new Error(`OUTCOME must be success or failure, not ${JSON.stringify(value ?? "")}`);
}

function readUrl(name: string, value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return url;
  } catch {
    // reported below
  }
  throw new Error(`${name} must be an http(s) URL`);
}

async function post(name: string, url: URL, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  // The URL may carry a secret path (webhooks): name the destination, never print the URL.
  if (!response.ok) throw new Error(`${name} answered HTTP ${response.status}`);
}

async function main(): Promise<void> {
  const outcome = readOutcome(process.env.OUTCOME);
  const alertmanager = readUrl("ALERTMANAGER_URL", process.env.ALERTMANAGER_URL);
  const webhook = readUrl("ALERT_WEBHOOK_URL", process.env.ALERT_WEBHOOK_URL);
  const alert = backupAlert({
    outcome,
    runUrl: process.env.RUN_URL || undefined,
    now: new Date(),
    rules: readFileSync(RULES_FILE, "utf8"),
  });
  if (!alertmanager && !webhook) {
    console.warn(`report-backup-run: no ALERTMANAGER_URL or ALERT_WEBHOOK_URL: the ${outcome} is not reported`);
    return;
  }
  if (alertmanager) {
    const token = process.env.ALERTMANAGER_TOKEN;
    await post("Alertmanager", new URL("api/v2/alerts", alertmanager.href.replace(/\/?$/, "/")), [alert], {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    console.log(`report-backup-run: ${ALERT_NAME} ${outcome === "failure" ? "fired" : "resolved"} in Alertmanager`);
  }
  if (webhook && outcome === "failure") {
    await post("the alert webhook", webhook, webhookMessage(alert));
    console.log(`report-backup-run: ${ALERT_NAME} posted to the alert webhook`);
  }
}

main().catch((error: unknown) => {
  console.error(`report-backup-run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
