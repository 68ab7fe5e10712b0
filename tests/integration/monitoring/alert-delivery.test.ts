import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as stringifyYaml } from "yaml";
import { startAlertmanager, type AlertmanagerHandle, type RouteTimings } from "../../support/alertmanager";
import { startMetricsExporter, type MetricsExporter } from "../../support/metrics-exporter";
import { startPrometheus, type PrometheusHandle } from "../../support/prometheus";
import { missingRequirement } from "../../support/requirements";
import { startWebhookReceiver, type ReceivedMessage, type WebhookReceiver } from "../../support/webhook-receiver";

/**
 * Alerts reach people: Debian's Prometheus (the repository's rules plus the test's own, below)
 * fires alerts of each severity, Debian's Alertmanager routes them with ops/alertmanager/alertmanager.yml,
 * and a local webhook receiver stands in for the pager and the chat (one path per receiver).
 *
 * The routes' timings are shortened (TEST_TIMINGS; production's are in the config file and in
 * docs/observability.md#alert-delivery), everything else is the file as shipped: routes, grouping,
 * send_resolved, the message templates. What the test shows holds for both sets of timings: P0
 * goes out first, P1 waits for its group to fill and comes as one message, P2/P3 wait for the
 * digest and later ones wait for the next digest, P0 and P1 report their resolution, a silence
 * keeps its alert out of the message until it expires.
 */

const TEST_TIMINGS: Record<string, RouteTimings> = {
  page: { group_wait: "1s", group_interval: "2s", repeat_interval: "1h" },
  "on-call": { group_wait: "5s", group_interval: "10s", repeat_interval: "1h" },
  // The day of the digest stays far beyond the test: only group_wait is shortened to seconds.
  digest: { group_wait: "15s", group_interval: "1h", repeat_interval: "1h" },
};
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)![1]) * 1000;

const skip =
  missingRequirement("prometheus", "alert delivery") ??
  missingRequirement("alertmanager", "alert delivery") ??
  missingRequirement("amtool", "alert delivery (silences)");

/** One alerting rule per scenario, so each has its own Alertmanager groups (grouped by alertname). */
// (A P3 of the same alertname as a P2 would be inhibited by it: the config's tier inhibition.)
const SCENARIO_RULES = [
  "DeliveryPage",
  "DeliveryOnCall",
  "DeliveryDigest",
  "DeliveryTrend",
  "DeliveryHousekeeping",
  "DeliveryLatePage",
  "DeliverySilence",
];

interface SlackMessage {
  attachments: { title: string; text: string }[];
}
const titleOf = (message: ReceivedMessage) => (message.body as SlackMessage).attachments[0]!.title;
const linesOf = (message: ReceivedMessage) =>
  (message.body as SlackMessage).attachments[0]!.text.split("\n").filter(Boolean);

let receiver: WebhookReceiver;
let alertmanager: AlertmanagerHandle;
let prometheus: PrometheusHandle;
let exporter: MetricsExporter;
let rulesDir: string;

const fire = (rule: string, severity: string, check: string, value = 1) =>
  exporter.set(`alert_delivery_check{rule="${rule}",severity="${severity}",check="${check}"}`, value);

describe.skipIf(skip)("alert delivery (Prometheus → Alertmanager → receivers)", () => {
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    alertmanager = await startAlertmanager({ receiverBaseUrl: receiver.url, timings: TEST_TIMINGS });
    exporter = await startMetricsExporter();
    rulesDir = mkdtempSync(path.join(tmpdir(), "slipway-delivery-rules-"));
    const rules = {
      groups: [
        {
          name: "alert-delivery-check",
          rules: SCENARIO_RULES.map((rule) => ({
            alert: rule,
            expr: `alert_delivery_check{rule="${rule}"} > 0`,
            labels: {},
            annotations: {
              summary: "check {{ $labels.check }}",
              description: "Raised by tests/integration/monitoring/alert-delivery.test.ts.",
              runbook_url: "https://example.invalid/runbook",
            },
          })),
        },
      ],
    };
    writeFileSync(path.join(rulesDir, "delivery.yml"), stringifyYaml(rules));
    prometheus = await startPrometheus({
      targets: [exporter.target],
      metricsToken: "alert-delivery-token",
      alertmanagers: [alertmanager.address],
      extraRuleFiles: [path.join(rulesDir, "delivery.yml")],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await exporter?.stop();
    await receiver?.stop();
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  });

  it(
    "pages P0 within seconds, groups P1 into one message, and holds P2/P3 for the digest",
    { timeout: 180_000 },
    async () => {
      const started = Date.now();
      fire("DeliveryPage", "P0", "page");
      fire("DeliveryOnCall", "P1", "one");
      fire("DeliveryOnCall", "P1", "two");
      fire("DeliveryDigest", "P2", "first");
      fire("DeliveryDigest", "P2", "second");
      fire("DeliveryTrend", "P2", "trend");
      fire("DeliveryHousekeeping", "P3", "housekeeping");

      const { alert } = await prometheus.waitForAlert("DeliveryPage", "firing", { timeoutMs: 60_000 });
      const firedAt = Date.parse(alert!.activeAt);
      const [page] = await receiver.waitFor((m) => m.path === "/page" && titleOf(m).includes("DeliveryPage"));
      const [onCall] = await receiver.waitFor((m) => m.path === "/on-call" && titleOf(m).includes("DeliveryOnCall"));
      const digests = await receiver.waitFor((m) => m.path === "/digest", { count: 2, timeoutMs: 90_000 });
      console.info(
        `P0 delivered ${page!.receivedAt - firedAt} ms after Prometheus fired it; ` +
          `P1 ${onCall!.receivedAt - firedAt} ms; digests ${digests.map((m) => m.receivedAt - firedAt).join(", ")} ms`,
      );

      expect(titleOf(page!)).toBe("[FIRING:1] P0 DeliveryPage");
      expect(linesOf(page!)).toEqual([
        "[P0] DeliveryPage: check page. Raised by tests/integration/monitoring/alert-delivery.test.ts. Runbook: https://example.invalid/runbook",
      ]);
      // P0 does not wait for the on-call batch, nor the on-call batch for the digest.
      expect(page!.receivedAt).toBeLessThan(onCall!.receivedAt);
      expect(onCall!.receivedAt).toBeLessThan(Math.min(...digests.map((m) => m.receivedAt)));

      // Both P1 alerts in one message, sent no earlier than the on-call group_wait.
      expect(titleOf(onCall!)).toBe("[FIRING:2] P1 DeliveryOnCall");
      expect(linesOf(onCall!).map((line) => line.split(".")[0])).toEqual([
        "[P1] DeliveryOnCall: check one",
        "[P1] DeliveryOnCall: check two",
      ]);
      expect(onCall!.receivedAt - started).toBeGreaterThanOrEqual(seconds(TEST_TIMINGS["on-call"]!.group_wait!));
      expect(receiver.messages.filter((m) => m.path === "/on-call")).toHaveLength(1);

      // One digest per severity, all of its alerts whatever their name, no earlier than the digest's group_wait.
      const bySeverity = Object.fromEntries(digests.map((m) => [titleOf(m), linesOf(m).map((l) => l.split(".")[0])]));
      expect(bySeverity).toEqual({
        "[FIRING:3] P2 digest": [
          "[P2] DeliveryDigest: check first",
          "[P2] DeliveryDigest: check second",
          "[P2] DeliveryTrend: check trend",
        ],
        "[FIRING:1] P3 DeliveryHousekeeping": ["[P3] DeliveryHousekeeping: check housekeeping"],
      });
      for (const digest of digests) {
        expect(digest.receivedAt - started).toBeGreaterThanOrEqual(seconds(TEST_TIMINGS.digest!.group_wait!));
      }
    },
  );

  it("keeps a P2 that fires after the digest went out for the next digest, while a P0 fired with it pages", async () => {
    const digestsBefore = receiver.messages.filter((m) => m.path === "/digest").length;
    fire("DeliveryDigest", "P2", "late");
    fire("DeliveryLatePage", "P0", "late");
    await receiver.waitFor((m) => m.path === "/page" && titleOf(m).includes("DeliveryLatePage"));
    // Alertmanager holds the late P2: it has it (active, neither silenced nor inhibited)...
    const deadline = Date.now() + 30_000;
    let late;
    do {
      late = (await alertmanager.alerts()).find(
        (a) => a.labels.alertname === "DeliveryDigest" && a.labels.check === "late",
      );
      if (!late) await new Promise((resolve) => setTimeout(resolve, 250));
    } while (!late && Date.now() < deadline);
    expect(late?.status.state).toBe("active");
    // ...and the digest group sends news only at its group_interval (a day in production).
    expect(receiver.messages.filter((m) => m.path === "/digest")).toHaveLength(digestsBefore);
  });

  it("sends resolved notifications for P0 and P1", async () => {
    fire("DeliveryPage", "P0", "page", 0);
    fire("DeliveryOnCall", "P1", "one", 0);
    fire("DeliveryOnCall", "P1", "two", 0);
    const [pageResolved] = await receiver.waitFor(
      (m) => m.path === "/page" && titleOf(m) === "[RESOLVED] P0 DeliveryPage",
    );
    const [onCallResolved] = await receiver.waitFor(
      (m) => m.path === "/on-call" && titleOf(m) === "[RESOLVED] P1 DeliveryOnCall",
    );
    expect(linesOf(pageResolved!)[0]).toMatch(/^\[P0\] DeliveryPage: check page\./);
    expect(linesOf(onCallResolved!)).toHaveLength(2);
  });

  it("keeps a silenced alert out of the page until the silence expires", async () => {
    const silence = await alertmanager.silence(
      ["alertname=DeliverySilence", "check=quiet"],
      "alert delivery test: a known, handled problem",
    );
    fire("DeliverySilence", "P0", "quiet");
    fire("DeliverySilence", "P0", "loud");

    const [first] = await receiver.waitFor((m) => m.path === "/page" && titleOf(m).includes("DeliverySilence"));
    expect(titleOf(first!)).toBe("[FIRING:1] P0 DeliverySilence");
    expect(linesOf(first!).join("\n")).toContain("check loud");
    expect(linesOf(first!).join("\n")).not.toContain("check quiet");
    const quiet = (await alertmanager.alerts()).find(
      (a) => a.labels.alertname === "DeliverySilence" && a.labels.check === "quiet",
    );
    expect(quiet?.status).toMatchObject({ state: "suppressed", silencedBy: [silence] });

    await alertmanager.expireSilence(silence);
    const [both] = await receiver.waitFor((m) => m.path === "/page" && titleOf(m) === "[FIRING:2] P0 DeliverySilence", {
      timeoutMs: 60_000,
    });
    expect(linesOf(both!).join("\n")).toContain("check quiet");
  });
});
