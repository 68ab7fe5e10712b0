import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyOf, loadDeployFiles, type DeployFiles } from "./rules";

type Json = ReturnType<typeof loadDeployFiles>["workflows"][string];

const DEPLOY = ".github/workflows/deploy.yml";
const BUILD = ".github/workflows/build-image.yml";
const ENVIRONMENT = ".github/workflows/deploy-environment.yml";
const PREVIEW = ".github/workflows/preview.yml";
/** What each platform job runs: the platform's release script, or compose's blue-green script. */
const PLATFORMS = {
  fly: "npx tsx scripts/deploy-platform.ts fly release --smoke",
  render: "npx tsx scripts/deploy-platform.ts render release --smoke",
  railway: "npx tsx scripts/deploy-platform.ts railway release --smoke",
  compose: "scripts/deploy-compose deploy",
};
const root = path.resolve(import.meta.dirname, "../../..");

const runs = (job: Json): string => (job?.steps ?? []).map((step: Json) => step.run ?? "").join("\n");

/** The release pipeline's rules (issues 12 and 21): build once, staging then production, gate, roll back. */
function deployWorkflowRules({ workflows }: DeployFiles): string[] {
  const problems: string[] = [];
  const deploy = workflows[DEPLOY];
  const build = workflows[BUILD];
  const environment = workflows[ENVIRONMENT];
  if (!deploy || !build || !environment) return [`${DEPLOY}, ${BUILD} and ${ENVIRONMENT} must exist`];

  const trigger = deploy.on?.workflow_run;
  if (
    !trigger?.workflows?.includes("CI") ||
    !trigger.types?.includes("completed") ||
    !trigger.branches?.includes("main")
  ) {
    problems.push("deploy.yml must run on workflow_run of CI, completed, on main");
  }
  const candidate = deploy.jobs?.candidate;
  if (!String(candidate?.if ?? "").includes("conclusion == 'success'"))
    problems.push("the release candidate must be a commit CI passed on");
  if (!String(candidate?.if ?? "").includes("github.ref == 'refs/heads/main'"))
    problems.push("a release by hand must be of main");
  if (!/gh run list [^\n]*--workflow ci\.yml [^\n]*--status success/.test(runs(candidate)))
    problems.push("a release by hand must check that CI passed on the commit");
  if (deploy.jobs?.build?.uses !== `./${BUILD}` || ![deploy.jobs?.build?.needs].flat().includes("candidate"))
    problems.push(`build must call ${BUILD} for the candidate`);

  const push = (build.jobs?.build?.steps ?? []).find((step: Json) =>
    String(step.uses ?? "").startsWith("docker/build-push-action@"),
  );
  if (!push || push.with?.push !== true) problems.push("build must push the image with docker/build-push-action");
  if (
    !String(push?.with?.secrets ?? "").includes("server_actions_key=${{ secrets.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY }}")
  ) {
    problems.push("build must pass NEXT_SERVER_ACTIONS_ENCRYPTION_KEY as the server_actions_key BuildKit secret");
  }
  if (/SECRET|TOKEN|KEY/.test(String(push?.with?.["build-args"] ?? ""))) problems.push("no secret may be a build arg");
  if (
    !runs(build.jobs?.build).includes("ghcr.io/") ||
    !String(push?.with?.tags ?? "").includes("steps.image.outputs.image")
  ) {
    problems.push("the image must be tagged ghcr.io/<repo>:<commit>");
  }
  const staging = deploy.jobs?.staging;
  const production = deploy.jobs?.production;
  for (const [name, job] of [
    ["staging", staging],
    ["production", production],
  ] as const) {
    if (job?.uses !== `./${ENVIRONMENT}` || job?.with?.environment !== name)
      problems.push(`${name} must call ${ENVIRONMENT} with environment ${name}`);
    if (job?.with?.image !== "${{ needs.build.outputs.image }}")
      problems.push(`${name} must deploy the image build pushed`);
  }
  if (![production?.needs].flat().includes("staging")) problems.push("production must wait for staging");
  const promoted = deploy.jobs?.promoted;
  if (![promoted?.needs].flat().includes("production") || !/--tag "\$\{IMAGE%:\*\}:production"/.test(runs(promoted)))
    problems.push("only a release that passed production's gate may be tagged production");

  for (const [platform, command] of Object.entries(PLATFORMS)) {
    const job = environment.jobs?.[platform];
    if (!job) {
      problems.push(`${ENVIRONMENT} has no ${platform} job`);
      continue;
    }
    if (job.if !== `vars.DEPLOY_TARGET == '${platform}'`)
      problems.push(`${platform}: must run only for DEPLOY_TARGET=${platform}`);
    if (job.environment?.name !== "${{ inputs.environment }}")
      problems.push(`${platform}: must run in the GitHub environment`);
    if (
      job.concurrency?.group !== "deploy-${{ inputs.environment }}" ||
      job.concurrency?.["cancel-in-progress"] !== false
    ) {
      problems.push(
        `${platform}: one deploy per environment at a time (concurrency deploy-<environment>, never cancelled)`,
      );
    }
    const steps: Json[] = job.steps ?? [];
    if (platform === "compose") {
      const index = (test: (step: Json) => boolean) => steps.findIndex(test);
      const deployAt = index((step) => step.name === "Deploy" && String(step.run).includes(command));
      const gateAt = index((step) =>
        /scripts\/release-gate\.ts --url "\$APP_URL" --commit "\$COMMIT" --smoke/.test(step.run ?? ""),
      );
      const rollback = steps.find((step) => step.name === "Roll back to the last good release");
      if (deployAt < 0) problems.push(`${platform}: no Deploy step running ${command}`);
      if (gateAt < deployAt || gateAt < 0)
        problems.push(`${platform}: the health gate with the smoke suite must follow the deploy`);
      if (
        !rollback ||
        !String(rollback.if).startsWith("failure()") ||
        !String(rollback.run).includes('--commit "$PREVIOUS"')
      )
        problems.push(`${platform}: on failure, roll back to the previous commit and gate it`);
      continue;
    }
    // Fly, Railway, Render: the release script deploys, verifies, gates (with the smoke suite) and
    // rolls back; the deploy logic is in scripts/platforms, not here.
    const releases = steps.filter((step) => String(step.run ?? "").includes("scripts/deploy-platform.ts"));
    if (releases.length !== 1 || String(releases[0].run).trim() !== command)
      problems.push(`${platform}: one step must run \`${command}\` (deploy, verify, gate, roll back) and nothing else`);
    if (job.env?.APP_URL !== "${{ vars.APP_URL }}") problems.push(`${platform}: the gate needs APP_URL`);
  }
  for (const script of ["scripts/release-gate.ts", "scripts/deploy-compose", "scripts/deploy-platform.ts"]) {
    if (!existsSync(path.join(root, script))) problems.push(`${script} is missing`);
  }
  return problems;
}

/** Previews: built from the pull request's head, created and destroyed by the script, never for forks. */
function previewWorkflowRules({ workflows }: DeployFiles): string[] {
  const preview = workflows[PREVIEW];
  if (!preview) return [`${PREVIEW} must exist`];
  const problems: string[] = [];
  const types: string[] = preview.on?.pull_request?.types ?? [];
  for (const type of ["opened", "synchronize", "closed"])
    if (!types.includes(type)) problems.push(`preview.yml must run when a pull request is ${type}`);
  if (preview.on?.pull_request_target)
    problems.push("preview.yml must not run on pull_request_target (it hands forks secrets)");
  for (const [id, job] of Object.entries(preview.jobs ?? {}) as [string, Json][]) {
    if (!String(job.if ?? "").includes("github.event.pull_request.head.repo.full_name == github.repository"))
      problems.push(`preview.yml ${id}: must not run for a fork's pull request`);
  }
  const job = preview.jobs?.preview;
  const steps: Json[] = job?.steps ?? [];
  const create = steps.find((step) => String(step.run ?? "").includes("preview-create"));
  const destroy = steps.find((step) => String(step.run ?? "").includes("preview-destroy"));
  if (!create || !String(create.run).includes("--smoke") || create.if !== "github.event.action != 'closed'")
    problems.push("preview.yml must create the preview with the smoke suite on every push");
  if (!destroy || destroy.if !== "github.event.action == 'closed'")
    problems.push("preview.yml must destroy the preview on close");
  if (job?.environment !== "preview") problems.push("preview.yml must take its secrets from the preview environment");
  if (job?.permissions?.deployments !== "write")
    problems.push("preview.yml must be allowed to post deployment statuses");
  return problems;
}

const files = loadDeployFiles();

describe("the release pipeline (.github/workflows/deploy.yml)", () => {
  it("builds once after CI, deploys staging then production with the platform's release script, and tags what passed", () => {
    expect(deployWorkflowRules(files)).toEqual([]);
  });

  it("fails when production does not wait for staging", () => {
    const broken = copyOf(files);
    broken.workflows[DEPLOY].jobs.production.needs = ["build"];
    expect(deployWorkflowRules(broken)).toContain("production must wait for staging");
  });

  it("fails when a release by hand skips the CI check", () => {
    const broken = copyOf(files);
    broken.workflows[DEPLOY].jobs.candidate.steps[0].run = 'echo "commit=$COMMIT" >> "$GITHUB_OUTPUT"';
    expect(deployWorkflowRules(broken)).toContain("a release by hand must check that CI passed on the commit");
  });

  it("fails when the server-actions key becomes a build arg", () => {
    const broken = copyOf(files);
    const push = broken.workflows[BUILD].jobs.build.steps.find((step: Json) => step.id === "build");
    push.with["build-args"] += "NEXT_SERVER_ACTIONS_ENCRYPTION_KEY=${{ secrets.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY }}\n";
    delete push.with.secrets;
    expect(deployWorkflowRules(broken)).toEqual(
      expect.arrayContaining([
        "no secret may be a build arg",
        "build must pass NEXT_SERVER_ACTIONS_ENCRYPTION_KEY as the server_actions_key BuildKit secret",
      ]),
    );
  });

  it("fails when a platform job deploys in the workflow instead of through its release script", () => {
    const broken = copyOf(files);
    const step = broken.workflows[ENVIRONMENT].jobs.render.steps.at(-1);
    step.run = 'curl -fsS -X POST "$RENDER_DEPLOY_HOOK_URL"';
    expect(deployWorkflowRules(broken)).toContain(
      "render: one step must run `npx tsx scripts/deploy-platform.ts render release --smoke` (deploy, verify, gate, roll back) and nothing else",
    );
  });

  it("fails when the smoke suite no longer runs after a deploy", () => {
    const broken = copyOf(files);
    for (const job of ["compose", "railway"])
      for (const step of broken.workflows[ENVIRONMENT].jobs[job].steps)
        if (typeof step.run === "string") step.run = step.run.replace(" --smoke", "");
    expect(deployWorkflowRules(broken)).toEqual(
      expect.arrayContaining([
        "compose: the health gate with the smoke suite must follow the deploy",
        "railway: one step must run `npx tsx scripts/deploy-platform.ts railway release --smoke` (deploy, verify, gate, roll back) and nothing else",
      ]),
    );
  });

  it("fails when two deploys of one environment may overlap", () => {
    const broken = copyOf(files);
    broken.workflows[ENVIRONMENT].jobs.fly.concurrency["cancel-in-progress"] = true;
    expect(deployWorkflowRules(broken)).toContain(
      "fly: one deploy per environment at a time (concurrency deploy-<environment>, never cancelled)",
    );
  });
});

describe("pull request previews (.github/workflows/preview.yml)", () => {
  it("are created with the smoke suite on every push, destroyed on close, and never for forks", () => {
    expect(previewWorkflowRules(files)).toEqual([]);
  });

  it("fails when a job would run for a fork's pull request", () => {
    const broken = copyOf(files);
    broken.workflows[PREVIEW].jobs.preview.if = "${{ !cancelled() }}";
    expect(previewWorkflowRules(broken)).toContain("preview.yml preview: must not run for a fork's pull request");
  });

  it("fails when closing the pull request leaves the preview behind", () => {
    const broken = copyOf(files);
    const steps = broken.workflows[PREVIEW].jobs.preview.steps;
    broken.workflows[PREVIEW].jobs.preview.steps = steps.filter(
      (step: Json) => !String(step.run ?? "").includes("preview-destroy"),
    );
    expect(previewWorkflowRules(broken)).toContain("preview.yml must destroy the preview on close");
  });
});
