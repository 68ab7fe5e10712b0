import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { readFly, readRender } from "../../../scripts/deploy-files.mjs";
import { runCommand } from "../../../scripts/deploy-platform";
import type { Env } from "../../../scripts/platforms/config";
import { SEED_TENANTS } from "../../../db/seed";
import { startFlyStandIn, type FlyStandIn } from "../../support/fly-stand-in";
import { startGithubStandIn, type GithubStandIn } from "../../support/github-stand-in";
import { startRailwayStandIn, type RailwayStandIn } from "../../support/railway-stand-in";
import { startRenderStandIn, type RenderStandIn } from "../../support/render-stand-in";
import { absent } from "../../unit/deploy/absent";
import { loadDeployFiles } from "../../unit/deploy/rules";

/**
 * Pull request previews, end to end against each platform's stand-in and a real PostgreSQL:
 * `deploy-platform.ts PLATFORM preview-create` gives the pull request a database of its own
 * (created, migrated, seeded with the demo tenants), deploys the pull request's image with it,
 * gates it and posts its URL as a GitHub deployment status; `preview-destroy` removes the
 * platform's resources, drops the database and marks the deployment inactive.
 */

const files = loadDeployFiles();
const PR = 42;
const COMMIT = "c".repeat(40);
const DATABASE = `slipway_pr_${PR}`;
const lines: string[] = [];
const run = (args: string[], env: Env) => runCommand(args, env, (line) => lines.push(line));

let github: GithubStandIn;
let server: postgres.Sql;
let adminUrl: string;

beforeAll(async () => {
  adminUrl = inject("databaseUrl");
  server = postgres(adminUrl, { max: 1, onnotice: () => {} });
  github = await startGithubStandIn();
});
afterAll(async () => {
  await server?.unsafe(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
  await server?.end();
  await github?.stop();
});
afterEach(() => {
  lines.length = 0;
  github.deployments.length = 0;
});

const common = (): Env => ({
  PR_NUMBER: String(PR),
  GIT_REF: COMMIT,
  PREVIEW_DATABASE_URL: adminUrl,
  GITHUB_TOKEN: github.token,
  GITHUB_REPOSITORY: github.repository,
  GITHUB_API_URL: github.apiUrl,
  DEPLOY_POLL_INTERVAL_MS: "10",
  GATE_INTERVAL_MS: "20",
  GATE_TIMEOUT_SECONDS: "10",
});

const databaseExists = async () => (await server`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`).length === 1;

/** The preview database's demo tenants, read as the server's superuser. */
async function seededTenants(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ slug: string }[]>`SELECT slug FROM tenants ORDER BY slug`).map((row) => row.slug);
  } finally {
    await sql.end();
  }
}

/** The preview's GitHub deployment: one, for the pull request's head, last status as given. */
function expectDeployment(state: string, url?: string) {
  expect(
    github.deployments.map((deployment) => [deployment.environment, deployment.ref, deployment.transient_environment]),
  ).toEqual([[`pr-${PR}`, COMMIT, true]]);
  expect(github.deployments[0]!.statuses.at(-1)).toMatchObject({ state, ...(url ? { environment_url: url } : {}) });
}

const previewUrl = (url: URL) => {
  url.pathname = `/${DATABASE}`;
  return url.toString();
};

describe.skipIf(absent(files, "fly"))("a Fly.io preview (an app per pull request)", () => {
  let fly: FlyStandIn;
  beforeAll(async () => {
    fly = await startFlyStandIn();
  });
  afterAll(() => fly.stop());

  it("gets its own seeded database and app, is gated and posted, and is destroyed on close", async () => {
    const app = `${readFly().app}-pr-${PR}`;
    const env: Env = {
      ...common(),
      FLY_APP: String(readFly().app),
      FLY_ORG: fly.org,
      FLY_API_TOKEN: fly.token,
      FLAPS_BASE_URL: fly.apiUrl,
      FLYCTL: fly.flyctl,
      PUBLIC_URL_TEMPLATE: fly.publicUrlTemplate,
      IMAGE: `registry.fly.io/${readFly().app}:${COMMIT}`,
    };

    expect(await run(["fly", "preview-create"], env), lines.join("\n")).toBe(0);

    const databaseUrl = previewUrl(new URL(adminUrl));
    expect(await seededTenants(databaseUrl)).toEqual(SEED_TENANTS.map((tenant) => tenant.slug).sort());
    const created = fly.apps.get(app)!;
    expect(created.secrets).toMatchObject({ DATABASE_URL: databaseUrl, AUTH_MODE: "local" });
    expect(created.secrets.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(
      new Set(created.machines.filter((machine) => machine.state === "started").map((machine) => machine.config.image)),
    ).toEqual(new Set([env.IMAGE]));
    expectDeployment("success", fly.urlOf(`${app}.fly.dev`));

    expect(await run(["fly", "preview-destroy"], env), lines.join("\n")).toBe(0);
    expect(fly.apps.has(app)).toBe(false);
    expect(await databaseExists()).toBe(false);
    expectDeployment("inactive");
  });
});

describe.skipIf(absent(files, "railway"))("a Railway preview (a pull request environment)", () => {
  let railway: RailwayStandIn;
  beforeAll(async () => {
    railway = await startRailwayStandIn();
    railway.seedRelease(`ghcr.io/slipway-dev/slipway:${"a".repeat(40)}`);
    for (const serviceId of [railway.ids.webServiceId, railway.ids.workerServiceId])
      Object.assign(railway.variablesOf(railway.ids.environmentId, serviceId), {
        DATABASE_URL: "postgres://staging",
        CLERK_SECRET_KEY: "sk_live_staging",
        REDIS_URL: "redis://staging",
      });
  });
  afterAll(() => railway.stop());

  it("is an environment of its own with its own seeded database, and goes away on close", async () => {
    const env: Env = {
      ...common(),
      RAILWAY_API_TOKEN: railway.accountToken,
      RAILWAY_API_URL: railway.apiUrl,
      RAILWAY_PROJECT_ID: railway.ids.projectId,
      RAILWAY_ENVIRONMENT_ID: railway.ids.environmentId,
      RAILWAY_SERVICE_ID: railway.ids.webServiceId,
      RAILWAY_WORKER_SERVICE_ID: railway.ids.workerServiceId,
      PUBLIC_URL_TEMPLATE: railway.publicUrlTemplate,
      IMAGE: `ghcr.io/slipway-dev/slipway:${COMMIT}`,
    };

    expect(await run(["railway", "preview-create"], env), lines.join("\n")).toBe(0);

    const preview = [...railway.environments.values()].find((environment) => environment.name === `pr-${PR}`)!;
    expect(preview.isEphemeral).toBe(true);
    const databaseUrl = previewUrl(new URL(adminUrl));
    expect(await seededTenants(databaseUrl)).toEqual(SEED_TENANTS.map((tenant) => tenant.slug).sort());
    for (const serviceId of [railway.ids.webServiceId, railway.ids.workerServiceId]) {
      // Its own database, the demo's sign-in, nothing of staging's Clerk or Redis.
      expect(railway.variablesOf(preview.id, serviceId)).toMatchObject({
        DATABASE_URL: databaseUrl,
        AUTH_MODE: "local",
        CLERK_SECRET_KEY: "",
        REDIS_URL: "",
      });
      expect(railway.instance(preview.id, serviceId).source.image).toBe(env.IMAGE);
    }
    // Staging is untouched.
    expect(railway.variablesOf(railway.ids.environmentId, railway.ids.webServiceId).DATABASE_URL).toBe(
      "postgres://staging",
    );
    expectDeployment("success", railway.urlOf(`slipway-pr-${PR}.up.railway.app`));

    expect(await run(["railway", "preview-destroy"], env), lines.join("\n")).toBe(0);
    expect([...railway.environments.values()].map((environment) => environment.name)).toEqual(["staging"]);
    expect(await databaseExists()).toBe(false);
    expectDeployment("inactive");
  });

  it("needs an account token: a project token cannot create environments", async () => {
    const env: Env = {
      ...common(),
      RAILWAY_TOKEN: railway.projectToken,
      RAILWAY_API_URL: railway.apiUrl,
      RAILWAY_PROJECT_ID: railway.ids.projectId,
      RAILWAY_ENVIRONMENT_ID: railway.ids.environmentId,
      RAILWAY_SERVICE_ID: railway.ids.webServiceId,
      RAILWAY_WORKER_SERVICE_ID: railway.ids.workerServiceId,
      PUBLIC_URL_TEMPLATE: railway.publicUrlTemplate,
      IMAGE: `ghcr.io/slipway-dev/slipway:${COMMIT}`,
    };
    expect(await run(["railway", "preview-create"], env)).toBe(1);
    expect(lines.join("\n")).toContain("Not Authorized");
    expectDeployment("failure");
    await run(["railway", "preview-destroy"], { ...env, RAILWAY_API_TOKEN: railway.accountToken });
  });
});

describe.skipIf(absent(files, "render"))("a Render preview (a service per pull request)", () => {
  let render: RenderStandIn;
  const web = () =>
    (readRender().services as { type: string; name: string; image: { url: string } }[]).find(
      (service) => service.type === "web",
    )!;
  const repository = () => web().image.url.replace(/:[^:/]+$/, "");
  beforeAll(async () => {
    render = await startRenderStandIn({ imageRepository: repository() });
  });
  afterAll(() => render.stop());

  it("is a service of its own on its own seeded database, gated with the Blueprint's health check, and deleted on close", async () => {
    const env: Env = {
      ...common(),
      RENDER_API_KEY: render.apiKey,
      RENDER_API_URL: render.apiUrl,
      RENDER_SERVICE_ID: render.ids.webServiceId,
      RENDER_WORKER_SERVICE_ID: render.ids.workerServiceId,
      RENDER_OWNER_ID: render.ids.ownerId,
      RENDER_REGISTRY_CREDENTIAL_ID: render.ids.registryCredentialId,
      PUBLIC_URL_TEMPLATE: render.publicUrlTemplate,
      IMAGE: `${repository()}:${COMMIT}`,
    };

    expect(await run(["render", "preview-create"], env), lines.join("\n")).toBe(0);

    const name = `${web().name}-pr-${PR}`;
    const service = [...render.services.values()].find((candidate) => candidate.name === name)!;
    const databaseUrl = previewUrl(new URL(adminUrl));
    expect(service.envVars).toMatchObject({ DATABASE_URL: databaseUrl, AUTH_MODE: "local", PORT: "3000" });
    expect(service.serviceDetails).toMatchObject({ healthCheckPath: "/health/ready", numInstances: 1 });
    expect(await seededTenants(databaseUrl)).toEqual(SEED_TENANTS.map((tenant) => tenant.slug).sort());
    // The base services never ran the pull request's image.
    for (const id of [render.ids.webServiceId, render.ids.workerServiceId])
      expect(render.services.get(id)!.deploys).toEqual([]);
    expectDeployment("success", render.urlOf(`${name}.onrender.com`));

    expect(await run(["render", "preview-destroy"], env), lines.join("\n")).toBe(0);
    expect([...render.services.values()].some((candidate) => candidate.name === name)).toBe(false);
    expect(await databaseExists()).toBe(false);
    expectDeployment("inactive");
  });

  it("posts a failure, not a URL to a broken preview, when the preview fails its gate", async () => {
    const env: Env = {
      ...common(),
      GATE_TIMEOUT_SECONDS: "1",
      RENDER_API_KEY: render.apiKey,
      RENDER_API_URL: render.apiUrl,
      RENDER_SERVICE_ID: render.ids.webServiceId,
      RENDER_WORKER_SERVICE_ID: render.ids.workerServiceId,
      RENDER_OWNER_ID: render.ids.ownerId,
      RENDER_REGISTRY_CREDENTIAL_ID: render.ids.registryCredentialId,
      PUBLIC_URL_TEMPLATE: render.publicUrlTemplate,
      IMAGE: `${repository()}:${"d".repeat(40)}`,
    };
    render.images.failsGate.add(env.IMAGE!);
    expect(await run(["render", "preview-create"], env)).toBe(1);
    expect(github.deployments[0]!.statuses.at(-1)!.state).toBe("failure");
    expect(github.deployments[0]!.statuses.at(-1)!.description).toContain("Preview failed its gate");
    expect(await run(["render", "preview-destroy"], env)).toBe(0);
  });
});
