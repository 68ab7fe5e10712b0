/**
 * A pull request's preview, start to finish: its own database (created, migrated, seeded), the
 * release image deployed on the platform with that database, the health gate and the smoke suite
 * (writes allowed: the database is the preview's), and the URL posted as a GitHub deployment status.
 * Destroying removes the platform's resources, drops the database and marks the deployment inactive.
 */
import { runGate } from "../release-gate";
import { parseImage, type Env } from "./config";
import { previewDeployments } from "./github";
import { dropPreviewDatabase, preparePreviewDatabase } from "./preview-database";
import type { DeployTarget, Log } from "./target";

export interface PreviewOptions {
  pr: number;
  image: string;
  /** The commit the pull request's deployment names (its head). */
  ref: string;
  smoke: boolean;
  gateTimeoutSeconds: number;
  gateIntervalMs: number;
  log: Log;
}

export async function createPreview(target: DeployTarget, env: Env, options: PreviewOptions): Promise<boolean> {
  const { log, pr } = options;
  const github = previewDeployments(env, pr, log);
  let url: string | undefined;
  try {
    const database = await preparePreviewDatabase(env, pr, log);
    ({ url } = await target.createPreview({ pr, image: options.image, databaseUrl: database.url }));
    log(`preview: #${pr} deployed on ${target.platform} at ${url}`);
    const gate = await runGate({
      url,
      commit: parseImage(options.image).tag,
      smoke: options.smoke,
      smokeWrites: true,
      timeoutSeconds: options.gateTimeoutSeconds,
      intervalMs: options.gateIntervalMs,
      log,
    });
    await github.report(
      options.ref,
      gate.ok ? "success" : "failure",
      gate.ok ? url : undefined,
      gate.ok ? "Preview ready: demo data, local sign-in" : `Preview failed its gate: ${gate.reason}`.slice(0, 140),
    );
    return gate.ok;
  } catch (error) {
    log(`preview: FAILED: ${(error as Error).message}`);
    await github.report(options.ref, "failure", undefined, `Preview failed: ${(error as Error).message}`.slice(0, 140));
    return false;
  }
}

export async function destroyPreview(target: DeployTarget, env: Env, pr: number, log: Log): Promise<void> {
  await target.destroyPreview(pr);
  await dropPreviewDatabase(env, pr, log);
  await previewDeployments(env, pr, log).deactivate();
  log(`preview: #${pr} destroyed`);
}
