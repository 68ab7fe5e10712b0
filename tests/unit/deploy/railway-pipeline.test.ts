import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRailway, readRailwayWorker } from "../../../scripts/deploy-files.mjs";
import { startRailwayStandIn, type RailwayStandIn } from "../../support/railway-stand-in";
import { absent } from "./absent";
import { loadDeployFiles } from "./rules";
import { NEXT, PREVIOUS, QUICK, run, runProgram, story } from "./pipeline";

/**
 * scripts/deploy-platform.ts railway against the Railway stand-in (Railway's GraphQL schema, a small
 * Railway behind it): the release image deployed to the web service then the worker, each with its
 * config file's deploy settings sent through the API (an image deployment has no code from which
 * Railway could read railway.json), read back, gated, and rolled back on failure.
 */

const files = loadDeployFiles();
const REPOSITORY = "ghcr.io/slipway-dev/slipway";
const previous = PREVIOUS(REPOSITORY);
const next = NEXT(REPOSITORY);

describe.skipIf(absent(files, "railway"))("the Railway pipeline, against the stand-in", { timeout: 60_000 }, () => {
  let railway: RailwayStandIn;
  const env = () => ({
    ...QUICK,
    RAILWAY_TOKEN: railway.projectToken,
    RAILWAY_API_URL: railway.apiUrl,
    RAILWAY_PROJECT_ID: railway.ids.projectId,
    RAILWAY_ENVIRONMENT_ID: railway.ids.environmentId,
    RAILWAY_SERVICE_ID: railway.ids.webServiceId,
    RAILWAY_WORKER_SERVICE_ID: railway.ids.workerServiceId,
    PUBLIC_URL_TEMPLATE: railway.publicUrlTemplate,
    APP_URL: railway.urlOf("slipway-staging.up.railway.app"),
  });
  const sent = (operation: string) =>
    railway.calls
      .filter((call) => call.operation === operation)
      .map((call) => (call.body as { variables: Record<string, unknown> }).variables);

  beforeEach(async () => {
    railway = await startRailwayStandIn();
    railway.seedRelease(previous);
  });
  afterEach(() => railway.stop());

  it("sends each service its config file's settings, migrates before the web service takes traffic, then moves the worker", async () => {
    const { code, report } = await run(["railway", "release"], { ...env(), IMAGE: next });

    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, previous, rolledBack: false, verifyProblems: [] });
    expect(railway.calls.map((call) => call.operation)).toEqual([
      "serviceInstance", // the image serving now
      "serviceInstanceUpdate",
      "serviceInstanceDeployV2",
      "deployment",
      "variableCollectionUpsert", // the worker's PORT: Railway health-checks it
      "serviceInstanceUpdate",
      "serviceInstanceDeployV2",
      "deployment",
      "serviceInstance", // read back: web, worker
      "serviceInstance",
    ]);
    const [web, worker] = sent("serviceInstanceUpdate") as { serviceId: string; input: Record<string, unknown> }[];
    expect(web!.serviceId).toBe(railway.ids.webServiceId);
    expect(worker!.serviceId).toBe(railway.ids.workerServiceId);
    // Every deploy setting of each file, as the file states it (preDeployCommand as Railway's list).
    for (const [input, config] of [
      [web!.input, readRailway()],
      [worker!.input, readRailwayWorker()],
    ] as const) {
      for (const [field, value] of Object.entries(config.deploy as Record<string, unknown>))
        expect(input[field], field).toEqual(field === "preDeployCommand" ? [value].flat() : value);
      expect(input.source).toEqual({ image: next });
    }
    expect(worker!.input.preDeployCommand).toBeNull();
    expect(sent("variableCollectionUpsert")[0]).toMatchObject({
      input: {
        serviceId: railway.ids.workerServiceId,
        variables: { PORT: "3001", WORKER_PORT: "3001" },
        skipDeploys: true,
      },
    });
    expect(story(railway.timeline)).toEqual([
      `migrate railway staging web ${next}`,
      `traffic railway staging web ${next}`,
      `traffic railway staging worker ${next}`,
    ]);
    expect(railway.timeline[0]!.command).toEqual([readRailway().deploy.preDeployCommand].flat());
    // What each deployment went out with is what the files say.
    const deployed = railway.deployments.filter((deployment) => deployment.image === next);
    expect(deployed.map((deployment) => deployment.settings.healthcheckPath)).toEqual([
      readRailway().deploy.healthcheckPath,
      readRailwayWorker().deploy.healthcheckPath,
    ]);
    expect(deployed.map((deployment) => deployment.settings.drainingSeconds)).toEqual([
      readRailway().deploy.drainingSeconds,
      readRailwayWorker().deploy.drainingSeconds,
    ]);
  });

  it("fails the verification when Railway holds other settings than the file declares", async () => {
    expect((await run(["railway", "deploy"], { ...env(), IMAGE: next })).code).toBe(0);
    railway.instance(railway.ids.environmentId, railway.ids.webServiceId).healthcheckPath = "/";
    railway.instance(railway.ids.environmentId, railway.ids.workerServiceId).drainingSeconds = 5;

    const { code, lines } = await run(["railway", "verify"], { ...env(), IMAGE: next });

    expect(code).toBe(1);
    expect(lines).toContain('verify: railway web: healthcheckPath is "/", the manifest says "/health/ready"');
    expect(lines).toContain(
      `verify: railway worker: drainingSeconds is 5, the manifest says ${readRailwayWorker().deploy.drainingSeconds}`,
    );
  });

  it("fails the verification when a service is connected to a repository (a push would deploy it)", async () => {
    expect((await run(["railway", "deploy"], { ...env(), IMAGE: next })).code).toBe(0);
    railway.instance(railway.ids.environmentId, railway.ids.webServiceId).source.repo = "slipway-dev/slipway";

    const { code, lines } = await run(["railway", "verify"], { ...env(), IMAGE: next });

    expect(code).toBe(1);
    expect(lines).toContain(
      "verify: railway web: connected to slipway-dev/slipway, so a push would deploy it without CI",
    );
  });

  it("rolls back to the previous image when the release fails its gate", async () => {
    railway.images.failsGate.add(next);

    const { code, report } = await run(["railway", "release"], { ...env(), IMAGE: next });

    expect(code).toBe(1);
    expect(report).toMatchObject({ ok: false, failed: "gate", previous, rolledBack: true, rollbackOk: true });
    expect(story(railway.timeline).slice(-3)).toEqual([
      `migrate railway staging web ${previous}`,
      `traffic railway staging web ${previous}`,
      `traffic railway staging worker ${previous}`,
    ]);
    for (const serviceId of [railway.ids.webServiceId, railway.ids.workerServiceId])
      expect(railway.instance(railway.ids.environmentId, serviceId).source.image).toBe(previous);
  });

  it("never moves traffic to a release whose migration fails, and keeps the previous one serving", async () => {
    railway.images.failsMigration.add(next);

    const { code, report } = await run(["railway", "release"], { ...env(), IMAGE: next });

    expect(code).toBe(1);
    expect(report).toMatchObject({ failed: "deploy", rolledBack: true, rollbackOk: true });
    expect(story(railway.timeline).filter((line) => line.startsWith("traffic") && line.endsWith(next))).toEqual([]);
    expect(railway.timeline.find((event) => event.kind === "failed")).toMatchObject({
      image: next,
      reason: "the pre-deploy command exited 1",
    });
  });

  it("runs as a program with the same variables, and says which one is missing", async () => {
    expect((await run(["railway", "deploy"], { ...env(), IMAGE: next })).code).toBe(0);
    const verified = await runProgram(["railway", "verify"], { ...env(), IMAGE: next });
    expect(verified.output).toContain("verify: every setting matches the manifest");
    expect(verified.code).toBe(0);

    const { RAILWAY_WORKER_SERVICE_ID: _missing, ...incomplete } = env();
    const refused = await runProgram(["railway", "verify"], {
      ...incomplete,
      RAILWAY_WORKER_SERVICE_ID: "",
      IMAGE: next,
    });
    expect(refused.output).toContain("Railway needs RAILWAY_WORKER_SERVICE_ID (unset or empty)");
    expect(refused.code).toBe(2);
  });
});
