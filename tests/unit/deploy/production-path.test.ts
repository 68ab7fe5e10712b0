import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { copyOf, loadDeployFiles, type DeployFiles } from "./rules";
import { itWith } from "./absent";

type Json = ReturnType<typeof loadDeployFiles>["workflows"][string];

/**
 * No configuration lets a push reach production without CI and the gate. A release reaches a
 * platform only through .github/workflows/deploy-environment.yml (its platform jobs run the gated
 * release script, or compose's gated SSH job), called by deploy.yml after CI passed on main and
 * after staging; nothing else deploys: no other workflow runs a deploy command, no manifest lets the
 * platform build and deploy on a push (Render services run the pipeline's image, no auto-deploy, no
 * Render-made previews), and previews use their own environment and commands.
 */

const DEPLOY = ".github/workflows/deploy.yml";
const ENVIRONMENT = ".github/workflows/deploy-environment.yml";
const PREVIEW = ".github/workflows/preview.yml";

/** A command that puts a release on a platform (previews' own commands aside). */
const DEPLOY_COMMAND =
  /deploy-platform\.ts\s+\S+\s+(release|deploy|rollback)\b|flyctl deploy|fly deploy|deploy-compose (deploy|rollback)|railway (up|redeploy)|render deploys create|RENDER_DEPLOY_HOOK|api\.render\.com\/deploy/;

const stepsOf = (job: Json): Json[] => job?.steps ?? [];
const commandsOf = (job: Json) => stepsOf(job).map((step: Json) => String(step.run ?? ""));
const triggersOf = (workflow: Json): string[] =>
  typeof workflow.on === "string"
    ? [workflow.on]
    : Array.isArray(workflow.on)
      ? workflow.on
      : Object.keys(workflow.on ?? {});

function productionPathRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const { workflows } = files;

  // 1. Deploy commands run in deploy-environment.yml only, which nothing but a call can start.
  for (const [file, workflow] of Object.entries(workflows)) {
    for (const [id, job] of Object.entries((workflow?.jobs ?? {}) as Record<string, Json>)) {
      const deploying = commandsOf(job).filter((command) => DEPLOY_COMMAND.test(command));
      if (deploying.length && file !== ENVIRONMENT)
        problems.push(`${file} ${id}: deploys (${deploying[0]!.trim().split("\n")[0]}) outside ${ENVIRONMENT}`);
    }
  }
  const environment = workflows[ENVIRONMENT];
  if (environment && JSON.stringify(triggersOf(environment)) !== '["workflow_call"]')
    problems.push(`${ENVIRONMENT} must only be called (on: workflow_call), never triggered by itself`);
  for (const [id, job] of Object.entries((environment?.jobs ?? {}) as Record<string, Json>)) {
    for (const command of commandsOf(job).filter((candidate) => /deploy-platform\.ts/.test(candidate))) {
      if (!/deploy-platform\.ts \S+ release --smoke\s*$/.test(command.trim()))
        problems.push(
          `${ENVIRONMENT} ${id}: runs "${command.trim()}": a release must go through the gate (release --smoke)`,
        );
    }
  }

  // 2. Only deploy.yml calls it, after CI passed on main, staging before production.
  for (const [file, workflow] of Object.entries(workflows)) {
    for (const [id, job] of Object.entries((workflow?.jobs ?? {}) as Record<string, Json>)) {
      if (job.uses !== `./${ENVIRONMENT}`) continue;
      if (file !== DEPLOY) problems.push(`${file} ${id}: calls ${ENVIRONMENT}; only deploy.yml may`);
      if (job.with?.environment === "production" && ![job.needs].flat().includes("staging"))
        problems.push(`${file} ${id}: deploys production without staging first`);
    }
  }
  const deploy = workflows[DEPLOY];
  if (deploy) {
    const triggers = triggersOf(deploy);
    const unexpected = triggers.filter((trigger) => !["workflow_run", "workflow_dispatch"].includes(trigger));
    if (unexpected.length)
      problems.push(`${DEPLOY} runs on ${unexpected.join(", ")}: only after CI (workflow_run) or by hand`);
    if (!deploy.on?.workflow_run?.workflows?.includes("CI")) problems.push(`${DEPLOY} must follow the CI workflow`);
    const first = deploy.jobs?.candidate;
    const condition = String(first?.if ?? "");
    if (!condition.includes("github.event.workflow_run.conclusion == 'success'"))
      problems.push(`${DEPLOY}: the first job must require CI's success`);
    if (
      triggers.includes("workflow_dispatch") &&
      !commandsOf(first).some((command) => /--workflow ci\.yml[^\n]*--status success/.test(command))
    )
      problems.push(`${DEPLOY}: a release by hand must check that CI passed on its commit`);
    // Every job that deploys depends, directly or not, on that first job.
    const dependsOnCandidate = (id: string, seen = new Set<string>()): boolean => {
      if (id === "candidate") return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return [deploy.jobs?.[id]?.needs ?? []].flat().some((need: string) => dependsOnCandidate(need, seen));
    };
    for (const id of Object.keys(deploy.jobs ?? {}))
      if (!dependsOnCandidate(id)) problems.push(`${DEPLOY} ${id}: runs without the CI-checked candidate`);
  }

  // 3. Previews never touch staging or production.
  const preview = workflows[PREVIEW];
  for (const [id, job] of Object.entries((preview?.jobs ?? {}) as Record<string, Json>)) {
    const name = typeof job.environment === "string" ? job.environment : job.environment?.name;
    if (name && name !== "preview") problems.push(`${PREVIEW} ${id}: runs in environment ${name}`);
  }

  // 4. No platform deploys on a push by itself.
  if (files.render) {
    const services = (files.render.services ?? []).filter((service: Json) =>
      ["web", "worker", "pserv"].includes(service.type),
    );
    for (const service of services) {
      const where = `render ${service.name}`;
      if (service.runtime !== "image")
        problems.push(`${where}: builds the repository (runtime ${service.runtime}), so a push deploys it`);
      if (service.repo) problems.push(`${where}: names a repository to build`);
      if (service.autoDeploy === true) problems.push(`${where}: autoDeploy is on`);
      if (service.autoDeployTrigger && service.autoDeployTrigger !== "off")
        problems.push(`${where}: autoDeployTrigger ${service.autoDeployTrigger} deploys on a push`);
      if (service.previews?.generation && service.previews.generation !== "off")
        problems.push(
          `${where}: Render makes previews from pull requests (previews.generation ${service.previews.generation})`,
        );
    }
    if (files.render.previews?.generation && files.render.previews.generation !== "off")
      problems.push(
        `render: preview environments from pull requests (previews.generation ${files.render.previews.generation})`,
      );
  }
  return problems;
}

const files = loadDeployFiles();

describe("the path to production", () => {
  it("goes only through CI, staging and the gate", () => {
    expect(productionPathRules(files)).toEqual([]);
  });

  itWith(files, "render")("fails when a Render service builds and deploys on a push", () => {
    const broken = copyOf(files);
    const web = broken.render.services.find((service: Json) => service.type === "web");
    Object.assign(web, { runtime: "docker", autoDeployTrigger: "commit" });
    expect(productionPathRules(broken)).toEqual(
      expect.arrayContaining([
        "render slipway: builds the repository (runtime docker), so a push deploys it",
        "render slipway: autoDeployTrigger commit deploys on a push",
      ]),
    );
  });

  itWith(files, "render")("fails when Render's autoDeploy is on or Render makes pull request previews", () => {
    const broken = copyOf(files);
    const worker = broken.render.services.find((service: Json) => service.type === "worker");
    worker.autoDeploy = true;
    broken.render.previews.generation = "automatic";
    expect(productionPathRules(broken)).toEqual(
      expect.arrayContaining([
        "render slipway-worker: autoDeploy is on",
        "render: preview environments from pull requests (previews.generation automatic)",
      ]),
    );
  });

  it("fails when a workflow deploys on a push, without CI", () => {
    const broken = copyOf(files);
    broken.workflows[".github/workflows/ship.yml"] = parseYaml(
      [
        "on: push",
        "jobs:",
        "  ship:",
        "    runs-on: ubuntu-latest",
        "    environment: production",
        "    steps:",
        "      - run: npx tsx scripts/deploy-platform.ts fly release --smoke",
      ].join("\n"),
    );
    expect(productionPathRules(broken)).toContain(
      `.github/workflows/ship.yml ship: deploys (npx tsx scripts/deploy-platform.ts fly release --smoke) outside ${ENVIRONMENT}`,
    );
  });

  it("fails when deploy.yml runs on a push or its first job no longer needs CI's success", () => {
    const broken = copyOf(files);
    broken.workflows[DEPLOY].on = { push: { branches: ["main"] }, workflow_dispatch: null };
    broken.workflows[DEPLOY].jobs.candidate.if = "github.event_name == 'push'";
    expect(productionPathRules(broken)).toEqual(
      expect.arrayContaining([
        `${DEPLOY} runs on push: only after CI (workflow_run) or by hand`,
        `${DEPLOY} must follow the CI workflow`,
        `${DEPLOY}: the first job must require CI's success`,
      ]),
    );
  });

  it("fails when a job of deploy.yml deploys without the CI-checked candidate", () => {
    const broken = copyOf(files);
    broken.workflows[DEPLOY].jobs.build.needs = [];
    expect(productionPathRules(broken)).toEqual(
      expect.arrayContaining([
        `${DEPLOY} build: runs without the CI-checked candidate`,
        `${DEPLOY} staging: runs without the CI-checked candidate`,
        `${DEPLOY} production: runs without the CI-checked candidate`,
      ]),
    );
  });

  it("fails when a platform job deploys without the gate", () => {
    const broken = copyOf(files);
    const step = broken.workflows[ENVIRONMENT].jobs.railway.steps.at(-1);
    step.run = "npx tsx scripts/deploy-platform.ts railway deploy";
    expect(productionPathRules(broken)).toContain(
      `${ENVIRONMENT} railway: runs "npx tsx scripts/deploy-platform.ts railway deploy": a release must go through the gate (release --smoke)`,
    );
  });

  it("fails when another workflow calls the environment deploy or a preview runs in production", () => {
    const broken = copyOf(files);
    broken.workflows[PREVIEW].jobs.preview.environment = "production";
    broken.workflows[PREVIEW].jobs.promote = {
      uses: `./${ENVIRONMENT}`,
      with: { environment: "production", image: "x", commit: "y" },
    };
    expect(productionPathRules(broken)).toEqual(
      expect.arrayContaining([
        `${PREVIEW} promote: calls ${ENVIRONMENT}; only deploy.yml may`,
        `${PREVIEW} promote: deploys production without staging first`,
        `${PREVIEW} preview: runs in environment production`,
      ]),
    );
  });
});
