import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRender } from "../../../scripts/deploy-files.mjs";
import { startRenderStandIn, type RenderStandIn } from "../../support/render-stand-in";
import { absent } from "./absent";
import { loadDeployFiles } from "./rules";
import { NEXT, PREVIOUS, QUICK, run, runProgram, story } from "./pipeline";

/**
 * scripts/deploy-platform.ts render against the Render stand-in (Render's published request and
 * response shapes, a small Render behind them): render.yaml's deploy settings applied to the
 * image-backed web service and background worker, the release image deployed by tag to the web
 * service (pre-deploy command, health check) then the worker, read back, gated, rolled back with
 * Render's rollback on failure.
 */

const files = loadDeployFiles();
type Service = { type: string; name: string; image: { url: string } } & Record<string, unknown>;
const services = () => readRender().services as Service[];
const web = () => services().find((service) => service.type === "web")!;
const worker = () => services().find((service) => service.type === "worker")!;
const repository = () => web().image.url.replace(/:[^:/]+$/, "");

describe.skipIf(absent(files, "render"))("the Render pipeline, against the stand-in", { timeout: 60_000 }, () => {
  let render: RenderStandIn;
  const previous = () => PREVIOUS(repository());
  const next = () => NEXT(repository());
  const env = () => ({
    ...QUICK,
    RENDER_API_KEY: render.apiKey,
    RENDER_API_URL: render.apiUrl,
    RENDER_SERVICE_ID: render.ids.webServiceId,
    RENDER_WORKER_SERVICE_ID: render.ids.workerServiceId,
    RENDER_BLUEPRINT_ID: render.ids.blueprintId,
    PUBLIC_URL_TEMPLATE: render.publicUrlTemplate,
    APP_URL: render.urlOf(`${web().name}.onrender.com`),
  });
  const route = (path: string) =>
    path
      .replace(render.ids.webServiceId, "WEB")
      .replace(render.ids.workerServiceId, "WORKER")
      .replace(/dep-[0-9a-f]+/, "DEPLOY");
  const calls = () => render.calls.map((call) => `${call.method} ${route(call.path)}`);

  beforeEach(async () => {
    render = await startRenderStandIn({ imageRepository: repository() });
    render.seedRelease(previous());
  });
  afterEach(() => render.stop());

  it("applies render.yaml's settings, migrates before the web service takes traffic, then moves the worker", async () => {
    const { code, report } = await run(["render", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, previous: previous(), rolledBack: false, verifyProblems: [] });
    expect(calls()).toEqual([
      "GET /v1/services/WEB/deploys?limit=20", // the image serving now
      "PATCH /v1/services/WEB",
      "POST /v1/services/WEB/scale",
      "PATCH /v1/services/WORKER",
      "POST /v1/services/WORKER/scale",
      "POST /v1/services/WEB/deploys",
      "GET /v1/services/WEB/deploys/DEPLOY",
      "POST /v1/services/WORKER/deploys",
      "GET /v1/services/WORKER/deploys/DEPLOY",
      "GET /v1/blueprints/" + render.ids.blueprintId, // read back: Auto Sync, then each service
      "GET /v1/services/WEB",
      "GET /v1/services/WEB/deploys?limit=20",
      "GET /v1/services/WORKER",
      "GET /v1/services/WORKER/deploys?limit=20",
    ]);
    const bodies = render.calls.map((call) => call.body);
    expect(bodies[1]).toEqual({
      serviceDetails: {
        healthCheckPath: web().healthCheckPath,
        maxShutdownDelaySeconds: web().maxShutdownDelaySeconds,
        preDeployCommand: web().preDeployCommand,
      },
    });
    expect(bodies[2]).toEqual({ numInstances: web().numInstances });
    expect(bodies[3]).toEqual({
      serviceDetails: {
        maxShutdownDelaySeconds: worker().maxShutdownDelaySeconds,
        envSpecificDetails: { dockerCommand: worker().dockerCommand },
      },
    });
    expect(bodies[4]).toEqual({ numInstances: worker().numInstances });
    expect(bodies[5]).toEqual({ imageUrl: next() });
    expect(story(render.timeline)).toEqual([
      `migrate render ${web().name} ${next()}`,
      `traffic render ${web().name} ${next()}`,
      `traffic render ${worker().name} ${next()}`,
    ]);
    expect(render.timeline[0]!.command).toEqual([web().preDeployCommand]);
  });

  it("fails the verification while the Blueprint's Auto Sync is on, or a service differs from render.yaml", async () => {
    expect((await run(["render", "deploy"], { ...env(), IMAGE: next() })).code).toBe(0);
    render.blueprint.autoSync = true;
    render.services.get(render.ids.workerServiceId)!.serviceDetails.maxShutdownDelaySeconds = 30;

    const { code, lines } = await run(["render", "verify"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(lines).toContain(
      "verify: render Blueprint: Auto Sync is on, so a push to render.yaml would redeploy outside the pipeline",
    );
    expect(lines).toContain(
      `verify: render worker: maxShutdownDelaySeconds is 30, render.yaml says ${worker().maxShutdownDelaySeconds}`,
    );
  });

  it("refuses an image of another repository than render.yaml's", async () => {
    const { code, lines } = await run(["render", "deploy"], { ...env(), IMAGE: "docker.io/someone/else:1" });
    expect(code).toBe(2);
    expect(lines.at(-1)).toContain(`Render deploys only ${repository()}:<tag>`);
    expect(render.calls).toEqual([]);
  });

  it("rolls back to the previous image with Render's rollback when the release fails its gate", async () => {
    render.images.failsGate.add(next());

    const { code, report } = await run(["render", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(report).toMatchObject({
      ok: false,
      failed: "gate",
      previous: previous(),
      rolledBack: true,
      rollbackOk: true,
    });
    expect(calls().filter((call) => call.endsWith("/rollback"))).toEqual([
      "POST /v1/services/WEB/rollback",
      "POST /v1/services/WORKER/rollback",
    ]);
    for (const id of [render.ids.webServiceId, render.ids.workerServiceId]) {
      const live = render.services.get(id)!.deploys.filter((deploy) => deploy.status === "live");
      expect(live.map((deploy) => deploy.image.ref)).toEqual([previous()]);
    }
  });

  it("never moves traffic to a release whose pre-deploy migration fails", async () => {
    render.images.failsMigration.add(next());

    const { code, report } = await run(["render", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(report).toMatchObject({ failed: "deploy" });
    expect(story(render.timeline).filter((line) => line.startsWith("traffic") && line.endsWith(next()))).toEqual([]);
    expect(calls()).not.toContain("POST /v1/services/WORKER/deploys");
  });

  it("runs as a program with the same variables", async () => {
    expect((await run(["render", "deploy"], { ...env(), IMAGE: next() })).code).toBe(0);
    const verified = await runProgram(["render", "verify"], { ...env(), IMAGE: next() });
    expect(verified.output).toContain("verify: every setting matches the manifest");
    expect(verified.code).toBe(0);
  });
});
