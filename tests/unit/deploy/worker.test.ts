import { describe, expect, it } from "vitest";
import { itWith } from "./absent";
import {
  containerHardeningRules,
  copyOf,
  loadDeployFiles,
  migratorRules,
  presentPlatforms,
  shutdownRules,
  WORKER,
  workerProbes,
  workerRules,
} from "./rules";

/**
 * The background worker (issue 23) is declared on every target before its code lands: the same
 * image, `node worker.mjs`, the web process's environment, readiness on WORKER_PORT (3001), a
 * shutdown window above WORKER_SHUTDOWN_TIMEOUT_SECONDS (30), and no migration of its own.
 */

const files = loadDeployFiles();
const withFly = itWith(files, "fly");
const withRailway = itWith(files, "railway");
const withRender = itWith(files, "render");
const withCompose = itWith(files, "compose");
type Entry = { key: string; type?: string } & Record<string, unknown>;
const serviceOf = (render: { services: Entry[] }, type: string) =>
  render.services.find((service) => service.type === type)!;

describe("the background worker", () => {
  it("is declared on every target present, as the contract says", () => {
    expect(workerRules(files)).toEqual([]);
  });

  it("is probed at /health/ready on port 3001 wherever the target can probe it", () => {
    const expected = {
      fly: "fly worker [checks]",
      railway: "railway worker healthcheckPath",
      compose: "compose worker healthcheck",
      render: undefined,
    };
    const where = presentPlatforms(files)
      .map((platform) => expected[platform])
      .filter(Boolean);
    expect(Object.keys(workerProbes(files)).sort()).toEqual(where.sort());
    for (const probe of Object.values(workerProbes(files)))
      expect(probe).toEqual({ path: WORKER.readinessPath, port: WORKER.defaultPort });
  });

  withFly("fails when Fly's worker process group runs something else", () => {
    const broken = copyOf(files);
    broken.fly.processes.worker = "node server.js";
    expect(workerRules(broken)).toContain('fly [processes] worker must be "node worker.mjs"');
  });

  withFly("fails when Fly routes public traffic to the worker", () => {
    const broken = copyOf(files);
    delete broken.fly.http_service.processes;
    expect(workerRules(broken)).toContain('fly [http_service] must serve the app process only (processes = ["app"])');
  });

  withFly("fails when Fly checks the worker on the web port", () => {
    const broken = copyOf(files);
    broken.fly.checks.worker_ready.port = 3000;
    expect(workerRules(broken)).toContain("fly worker [checks] must probe port 3001 (WORKER_PORT), not 3000");
  });

  withFly("fails when Fly kills the worker before it drained", () => {
    const broken = copyOf(files);
    broken.fly.kill_timeout = "30s";
    expect(shutdownRules(broken)).toContain("fly kill_timeout 30s must exceed the worker's 30s");
  });

  withFly("fails when the worker process runs the migrator", () => {
    const broken = copyOf(files);
    broken.fly.processes.worker = "node db/migrate.mjs && node worker.mjs";
    expect(migratorRules(broken)).toContain("fly worker process must not run the migrator");
  });

  withRailway("fails without the Railway worker service's config file", () => {
    const broken = copyOf(files);
    delete broken.railwayWorker;
    expect(workerRules(broken)).toContain("railway.worker.json (the worker service's config) is missing");
  });

  withRailway("fails when the Railway worker migrates or drains too briefly", () => {
    const broken = copyOf(files);
    broken.railwayWorker.deploy.preDeployCommand = ["node db/migrate.mjs"];
    broken.railwayWorker.deploy.drainingSeconds = 30;
    expect(migratorRules(broken)).toContain("railway worker must have no preDeployCommand (the web service migrates)");
    expect(shutdownRules(broken)).toContain("railway worker drainingSeconds 30 must exceed the worker's 30s");
  });

  withRender("fails when Render's worker runs another image than the web service", () => {
    const broken = copyOf(files);
    (serviceOf(broken.render, "worker").image as { url: string }).url = "ghcr.io/someone/else:production";
    expect(workerRules(broken)).toContain(
      "render worker must run the web service's image (runtime: image, same image.url)",
    );
  });

  withRender("fails when Render's worker misses a variable of the web service", () => {
    const broken = copyOf(files);
    const worker = serviceOf(broken.render, "worker");
    worker.envVars = (worker.envVars as Entry[]).filter((entry) => entry.key !== "SESSION_SECRET");
    expect(workerRules(broken)).toContain("render worker lacks the web service's SESSION_SECRET");
  });

  withRender("fails when Render's worker would generate its own secret instead of sharing the web's", () => {
    const broken = copyOf(files);
    const entries = serviceOf(broken.render, "worker").envVars as Entry[];
    entries[entries.findIndex((entry) => entry.key === "SESSION_SECRET")] = {
      key: "SESSION_SECRET",
      generateValue: true,
    };
    expect(workerRules(broken)).toContain(
      "render worker SESSION_SECRET must copy the web service's value (fromService envVarKey)",
    );
  });

  withRender("says that Render background workers get no HTTP health check", () => {
    const broken = copyOf(files);
    serviceOf(broken.render, "worker").healthCheckPath = "/health/ready";
    expect(workerRules(broken)).toContain(
      "render worker healthCheckPath: Render gives background workers no HTTP health check",
    );
  });

  withCompose("fails when the compose worker is not hardened like the app", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.worker.read_only;
    broken.compose.merged.services.worker.cap_drop = [];
    expect(containerHardeningRules(broken)).toEqual(
      expect.arrayContaining(["worker: must run with read_only: true", "worker: must cap_drop: [ALL]"]),
    );
  });

  withCompose("fails when the compose worker starts before the migration or lacks the app's environment", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.worker.depends_on;
    delete broken.compose.merged.services.worker.environment.DATABASE_URL_FILE;
    expect(migratorRules(broken)).toContain("compose worker must wait for migrate to complete successfully");
    expect(workerRules(broken)).toContain("compose worker lacks the app's DATABASE_URL_FILE");
  });

  withCompose("fails when the compose worker's healthcheck probes the web port", () => {
    const broken = copyOf(files);
    const test = broken.compose.merged.services.worker.healthcheck.test as string[];
    test[test.length - 1] = test.at(-1)!.replace("WORKER_PORT||3001", "PORT||3000");
    expect(workerRules(broken)).toContain(
      "compose worker healthcheck must probe port 3001 (WORKER_PORT), not undefined",
    );
  });
});
