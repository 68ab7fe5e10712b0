/**
 * A release on a platform, start to finish: read the image serving now, deploy the new one (the
 * platform migrates before traffic moves), read back what the platform applied, run the health gate
 * and the smoke suite, and on any failure serve the previous image again, gate it, and fail.
 * ADR 0023, docs/runbooks/deploy.md.
 */
import { appendFileSync } from "node:fs";
import { runGate, type GateResult } from "../release-gate";
import { parseImage } from "./config";
import type { DeployTarget, Log } from "./target";

export interface ReleaseOptions {
  image: string;
  /** The public URL the gate and the smoke suite check. */
  url: string;
  smoke: boolean;
  gateTimeoutSeconds: number;
  gateIntervalMs: number;
  /** GitHub's job summary file ($GITHUB_STEP_SUMMARY), when there is one. */
  summaryFile?: string;
  log: Log;
}

export interface ReleaseReport {
  ok: boolean;
  platform: string;
  image: string;
  previous: string | null;
  /** What failed first: the deploy, the verification or the gate (null when it all passed). */
  failed: "deploy" | "verify" | "gate" | null;
  reason: string | null;
  verifyProblems: string[];
  releaseSeconds: number;
  rolledBack: boolean;
  rollbackSeconds: number | null;
  rollbackOk: boolean | null;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

export async function release(target: DeployTarget, options: ReleaseOptions): Promise<ReleaseReport> {
  const { log } = options;
  const gate = (image: string, smoke: boolean): Promise<GateResult> =>
    runGate({
      url: options.url,
      commit: parseImage(image).tag,
      smoke,
      timeoutSeconds: options.gateTimeoutSeconds,
      intervalMs: options.gateIntervalMs,
      log,
    });

  const previous = (await target.currentImage()) ?? null;
  log(`release: ${target.platform} serves ${previous ?? "nothing yet"}; deploying ${options.image}`);
  const started = performance.now();
  const report: ReleaseReport = {
    ok: false,
    platform: target.platform,
    image: options.image,
    previous,
    failed: null,
    reason: null,
    verifyProblems: [],
    releaseSeconds: 0,
    rolledBack: false,
    rollbackSeconds: null,
    rollbackOk: null,
  };

  try {
    await target.deploy(options.image);
  } catch (error) {
    report.failed = "deploy";
    report.reason = (error as Error).message;
  }
  if (!report.failed) {
    report.verifyProblems = await target.verify(options.image);
    for (const problem of report.verifyProblems) log(`verify: ${problem}`);
    if (report.verifyProblems.length) {
      report.failed = "verify";
      report.reason = `the platform did not apply what the manifest declares (${report.verifyProblems.length} difference(s))`;
    } else log(`verify: ${target.platform} applied every setting the manifest declares`);
  }
  if (!report.failed) {
    const result = await gate(options.image, options.smoke);
    if (!result.ok) {
      report.failed = "gate";
      report.reason = result.reason ?? "the gate failed";
    }
  }
  report.releaseSeconds = seconds(started);

  if (report.failed) {
    log(`release: FAILED at the ${report.failed} step: ${report.reason}`);
    if (previous && previous !== options.image) {
      const rollbackStarted = performance.now();
      log(`rollback: serving ${previous} again`);
      report.rolledBack = true;
      try {
        await target.rollback(previous);
        const problems = await target.verify(previous);
        for (const problem of problems) log(`rollback verify: ${problem}`);
        report.rollbackOk = problems.length === 0 && (await gate(previous, false)).ok;
      } catch (error) {
        log(`rollback: FAILED: ${(error as Error).message}`);
        report.rollbackOk = false;
      }
      report.rollbackSeconds = seconds(rollbackStarted);
      log(
        `rollback: ${report.rollbackOk ? "the previous release serves again" : "FAILED: act by hand (docs/runbooks/rollback.md)"}`,
      );
    } else log("rollback: no earlier release to go back to");
  } else {
    report.ok = true;
    log(`release: ${options.image} is live on ${target.platform} (${report.releaseSeconds}s)`);
  }
  if (options.summaryFile) appendFileSync(options.summaryFile, summary(report));
  return report;
}

function summary(report: ReleaseReport): string {
  return [
    `### ${report.platform}: \`${report.image}\` (${report.ok ? "released" : `failed at ${report.failed}`})`,
    "| step | seconds |",
    "| --- | --- |",
    `| deploy, verify, health gate${report.failed ? "" : ", smoke"} | ${report.releaseSeconds} |`,
    `| rollback to \`${report.previous ?? "none"}\` | ${report.rolledBack ? `${report.rollbackSeconds} (${report.rollbackOk ? "ok" : "FAILED"})` : "not needed"} |`,
    ...report.verifyProblems.map((problem) => `- ${problem}`),
    "",
  ].join("\n");
}
