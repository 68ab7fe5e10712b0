/**
 * Releases and previews on Fly.io, Railway and Render: the steps .github/workflows/deploy-environment.yml
 * and preview.yml run, runnable by hand with the same environment variables (docs/runbooks/deploy.md).
 *
 *   npx tsx scripts/deploy-platform.ts PLATFORM COMMAND [--smoke]
 *
 *   PLATFORM   fly | railway | render (the platform's variables: scripts/platforms/<platform>.ts)
 *   COMMAND    release          deploy IMAGE, verify, gate APP_URL (--smoke: and the smoke suite);
 *                               on failure roll back to the image serving before, and exit 1
 *              deploy | verify | rollback     one step of it, for IMAGE
 *              current                        print the image serving now
 *              preview-create   PR_NUMBER's preview of IMAGE, with its own seeded database
 *                               (PREVIEW_DATABASE_URL), gated, posted as a GitHub deployment
 *              preview-destroy  remove PR_NUMBER's preview and its database
 *
 * Variables for every command: IMAGE (ghcr.io/<owner>/<repo>:<commit>, or Fly's registry copy),
 * APP_URL (release), GATE_TIMEOUT_SECONDS (300), GATE_INTERVAL_MS (1000), DEPLOY_TIMEOUT_SECONDS
 * (900), DEPLOY_POLL_INTERVAL_MS (5000); previews: PR_NUMBER, GIT_REF (the pull request's head),
 * PREVIEW_DATABASE_URL, GITHUB_TOKEN, GITHUB_REPOSITORY. Exit 0 on success, 1 on failure, 2 on bad
 * usage or configuration (the message names the variable, never its value).
 */
import path from "node:path";
import { ConfigError, parseImage, positiveNumber, pullRequestNumber, requireEnv, type Env } from "./platforms/config";
import { flyTarget } from "./platforms/fly";
import { PlatformError } from "./platforms/http";
import { createPreview, destroyPreview } from "./platforms/preview";
import { railwayTarget } from "./platforms/railway";
import { release } from "./platforms/release";
import { renderTarget } from "./platforms/render";
import type { DeployTarget, Log } from "./platforms/target";

const TARGETS: Record<string, (env: Env, log: Log) => DeployTarget> = {
  fly: flyTarget,
  railway: railwayTarget,
  render: renderTarget,
};
const COMMANDS = ["release", "deploy", "verify", "rollback", "current", "preview-create", "preview-destroy"];
const USAGE = `usage: deploy-platform.ts ${Object.keys(TARGETS).join("|")} ${COMMANDS.join("|")} [--smoke]`;

const image = (env: Env) => {
  const { IMAGE } = requireEnv(env, ["IMAGE"], "this command");
  parseImage(IMAGE);
  return IMAGE;
};

/** Runs one command; resolves to the exit code. `env` is process.env for the CLI, explicit in tests. */
export async function runCommand(args: string[], env: Env, log: Log = console.log): Promise<number> {
  const smoke = args.includes("--smoke");
  const [platform, command, ...extra] = args.filter((arg) => arg !== "--smoke");
  if (!platform || !TARGETS[platform] || !command || !COMMANDS.includes(command) || extra.length > 0) {
    log(USAGE);
    return 2;
  }
  try {
    const target = TARGETS[platform]!(env, log);
    const gateTimeoutSeconds = positiveNumber(env, "GATE_TIMEOUT_SECONDS", 300);
    const gateIntervalMs = positiveNumber(env, "GATE_INTERVAL_MS", 1000);
    switch (command) {
      case "release": {
        const { APP_URL } = requireEnv(env, ["APP_URL"], "a release");
        const report = await release(target, {
          image: image(env),
          url: APP_URL,
          smoke,
          gateTimeoutSeconds,
          gateIntervalMs,
          summaryFile: env.GITHUB_STEP_SUMMARY || undefined,
          log,
        });
        log(JSON.stringify(report));
        return report.ok ? 0 : 1;
      }
      case "deploy":
        await target.deploy(image(env));
        return 0;
      case "verify": {
        const problems = await target.verify(image(env));
        for (const problem of problems) log(`verify: ${problem}`);
        log(
          problems.length ? `verify: ${problems.length} difference(s)` : "verify: every setting matches the manifest",
        );
        return problems.length ? 1 : 0;
      }
      case "rollback":
        await target.rollback(image(env));
        return 0;
      case "current":
        log((await target.currentImage()) ?? "(nothing deployed)");
        return 0;
      case "preview-create": {
        const pr = pullRequestNumber(env);
        const ref = env.GIT_REF?.trim() || parseImage(image(env)).tag;
        const ok = await createPreview(target, env, {
          pr,
          image: image(env),
          ref,
          smoke,
          gateTimeoutSeconds,
          gateIntervalMs,
          log,
        });
        return ok ? 0 : 1;
      }
      default:
        await destroyPreview(target, env, pullRequestNumber(env), log);
        return 0;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      log(`deploy-platform: ${error.message}`);
      return 2;
    }
    if (error instanceof PlatformError) {
      log(`deploy-platform: FAILED: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.exitCode = await runCommand(process.argv.slice(2), process.env);
}
