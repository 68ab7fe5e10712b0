import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flyDurationSeconds, readFly } from "../../../scripts/deploy-files.mjs";
import { startFlyStandIn, type FlyMachine, type FlyStandIn } from "../../support/fly-stand-in";
import { absent } from "./absent";
import { loadDeployFiles } from "./rules";
import { NEXT, PREVIOUS, QUICK, run, runProgram, story } from "./pipeline";

/**
 * scripts/deploy-platform.ts fly against the Fly Machines API stand-in, with flyctl played by
 * tests/support/flyctl-stand-in.mjs (the real flyctl cannot be installed here): `flyctl deploy
 * --image`, then the machines read back from the Machines API against fly.toml (release_command
 * machine, each process group's image, command, checks and kill settings), gated, rolled back.
 */

const files = loadDeployFiles();

describe.skipIf(absent(files, "fly"))("the Fly.io pipeline, against the stand-in", { timeout: 60_000 }, () => {
  let fly: FlyStandIn;
  const app = () => String(readFly().app);
  const previous = () => PREVIOUS(`registry.fly.io/${app()}`);
  const next = () => NEXT(`registry.fly.io/${app()}`);
  const env = () => ({
    ...QUICK,
    FLY_APP: app(),
    FLY_API_TOKEN: fly.token,
    FLAPS_BASE_URL: fly.apiUrl,
    FLYCTL: fly.flyctl,
    PUBLIC_URL_TEMPLATE: fly.publicUrlTemplate,
    APP_URL: fly.urlOf(`${app()}.fly.dev`),
  });
  const machines = (group?: string) =>
    fly.apps
      .get(app())!
      .machines.filter((machine) => machine.state !== "destroyed")
      .filter((machine) => !group || machine.config.metadata?.fly_process_group === group);

  beforeEach(async () => {
    fly = await startFlyStandIn();
    fly.createApp(app());
    // An earlier release, deployed the same way.
    expect((await run(["fly", "deploy"], { ...env(), IMAGE: previous() })).code).toBe(0);
    fly.resetRecords();
  }, 60_000);
  afterEach(() => fly.stop());

  it("runs the release command before any machine moves, then replaces each group's machines with fly.toml's settings", async () => {
    const { code, report } = await run(["fly", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, previous: previous(), rolledBack: false, verifyProblems: [] });
    const toml = readFly();
    expect(fly.timeline[0]).toMatchObject({
      kind: "migrate",
      image: next(),
      command: toml.deploy.release_command.split(" "),
    });
    expect(story(fly.timeline)).toEqual([
      `migrate fly ${app()} ${next()}`,
      ...machines("app").map(() => `traffic fly ${app()} app ${next()}`),
      `traffic fly ${app()} worker ${next()}`,
    ]);
    // The Machines API calls: the image serving now, flyctl's deploy, then the read-back.
    const routes = fly.calls.map((call) => `${call.method} ${call.path.replace(/[0-9a-f]{14}/, "ID")}`);
    expect(routes[0]).toBe(`GET /v1/apps/${app()}/machines?include_deleted=true`);
    expect(routes.at(-1)).toBe(`GET /v1/apps/${app()}/machines?include_deleted=true`);
    expect(routes.filter((route) => route === `POST /v1/apps/${app()}/machines`)).toHaveLength(1); // the release command's
    // What the machines run is what fly.toml declares.
    const web = machines("app")[0]!;
    const check = web.config.services![0]!.checks![0]! as unknown as Record<string, string>;
    const declared = toml.http_service.checks[0];
    expect(check.path).toBe(declared.path);
    for (const field of ["interval", "timeout", "grace_period"])
      expect(flyDurationSeconds(check[field]!), field).toBe(flyDurationSeconds(declared[field]));
    const workerChecks = Object.values(machines("worker")[0]!.config.checks!);
    expect(workerChecks).toEqual([
      expect.objectContaining({ port: toml.checks.worker_ready.port, path: toml.checks.worker_ready.path }),
    ]);
    for (const machine of machines())
      expect(machine.config.stop_config).toEqual({ signal: toml.kill_signal, timeout: toml.kill_timeout });
  });

  it("fails the verification when a machine runs other checks or stop settings than fly.toml's", async () => {
    expect((await run(["fly", "deploy"], { ...env(), IMAGE: next() })).code).toBe(0);
    const worker: FlyMachine = machines("worker")[0]!;
    worker.config.checks = {};
    (worker.config.stop_config as { timeout: string }).timeout = "5s";

    const { code, lines } = await run(["fly", "verify"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(lines).toContain(`verify: fly worker machine ${worker.id}: kill timeout 5s, fly.toml says 45s`);
    expect(
      lines.some((line) =>
        line.startsWith(`verify: fly worker machine ${worker.id}: no health check /health/ready on port 3001`),
      ),
    ).toBe(true);
  });

  it("fails the verification when no release command ran from the image", async () => {
    expect((await run(["fly", "deploy"], { ...env(), IMAGE: next() })).code).toBe(0);
    const releaseMachines = fly.apps
      .get(app())!
      .machines.filter((machine) => machine.config.metadata?.fly_process_group === "fly_app_release_command");
    for (const machine of releaseMachines) machine.config.image = previous();

    const { code, lines } = await run(["fly", "verify"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(lines).toContain(`verify: fly release_command: no machine ran it from ${next()}`);
  });

  it("rolls back to the previous image when the release fails its gate", async () => {
    fly.images.failsGate.add(next());

    const { code, report } = await run(["fly", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(report).toMatchObject({
      ok: false,
      failed: "gate",
      previous: previous(),
      rolledBack: true,
      rollbackOk: true,
    });
    for (const machine of machines()) expect(machine.config.image).toBe(previous());
  });

  it("stops before any machine moves when the release command fails", async () => {
    fly.images.failsMigration.add(next());

    const { code, report } = await run(["fly", "release"], { ...env(), IMAGE: next() });

    expect(code).toBe(1);
    expect(report).toMatchObject({ failed: "deploy" });
    expect(story(fly.timeline).filter((line) => line.startsWith("traffic") && line.endsWith(next()))).toEqual([]);
    for (const machine of machines()) expect(machine.config.image).toBe(previous());
  });

  it("runs as a program with the same variables", async () => {
    const verified = await runProgram(["fly", "verify"], { ...env(), IMAGE: previous() });
    expect(verified.output).toContain("verify: every setting matches the manifest");
    expect(verified.code).toBe(0);
  });
});
