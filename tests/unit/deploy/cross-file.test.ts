import { describe, expect, it } from "vitest";
import {
  copyOf,
  healthPathRules,
  healthPaths,
  loadDeployFiles,
  migratorCommands,
  migratorRules,
  MIGRATOR_COMMAND,
  portRules,
  shutdownRules,
} from "./rules";

const files = loadDeployFiles();

describe("health paths", () => {
  it("every probe points at a route the app serves", () => {
    expect(healthPathRules(files)).toEqual([]);
  });

  it("the platforms probe readiness and the image probes liveness", () => {
    expect(healthPaths(files)).toEqual({
      "Dockerfile HEALTHCHECK": "/health/live",
      "compose app healthcheck": "/health/live",
      "fly [[http_service.checks]]": "/health/ready",
      "railway healthcheckPath": "/health/ready",
      "render healthCheckPath": "/health/ready",
    });
  });

  it("fails when a platform probes a path that is not a route", () => {
    const broken = copyOf(files);
    broken.fly.http_service.checks[0].path = "/healthz";
    expect(healthPathRules(broken)).toContain("fly [[http_service.checks]]: /healthz is not a route in src/app");
  });

  it("fails when the readiness route disappears from src/app", () => {
    const broken = copyOf(files);
    broken.routes.delete("/health/ready");
    expect(healthPathRules(broken)).toContain("render healthCheckPath: /health/ready is not a route in src/app");
  });

  it("fails when a platform routes on liveness instead of readiness", () => {
    const broken = copyOf(files);
    broken.railway.deploy.healthcheckPath = "/health/live";
    expect(healthPathRules(broken)).toContain("railway healthcheckPath must be /health/ready");
  });
});

describe("ports", () => {
  it("the Dockerfile, compose, Fly and Render agree on 3000", () => {
    expect(portRules(files)).toEqual([]);
  });

  it("fails when fly's internal_port differs", () => {
    const broken = copyOf(files);
    broken.fly.http_service.internal_port = 8080;
    expect(portRules(broken)).toContain("fly internal_port 8080 differs from PORT 3000");
  });

  it("fails when compose publishes another container port", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.ports = ["127.0.0.1:3000:8080"];
    expect(portRules(broken)).toContain("production compose app publishes container port 8080, not 3000");
  });

  it("fails when Render is left to inject its default PORT", () => {
    const broken = copyOf(files);
    const web = broken.render.services.find((service: { type: string }) => service.type === "web");
    web.envVars = web.envVars.filter((entry: { key: string }) => entry.key !== "PORT");
    expect(portRules(broken)).toContain("render PORT undefined differs from 3000 (Render defaults to 10000)");
  });
});

describe("migrator", () => {
  it("every release step runs the migrator the image contains", () => {
    expect(migratorRules(files)).toEqual([]);
    expect(new Set(Object.values(migratorCommands(files)))).toEqual(new Set([MIGRATOR_COMMAND]));
  });

  it("fails when a release command points at a file the image lacks", () => {
    const broken = copyOf(files);
    broken.fly.deploy.release_command = "node dist/db/migrate.mjs";
    expect(migratorRules(broken)).toContain(
      "fly release_command: /app/dist/db/migrate.mjs is not copied into the runner image",
    );
  });

  it("fails when a pre-deploy command needs the dev toolchain", () => {
    const broken = copyOf(files);
    broken.railway.deploy.preDeployCommand = ["npm run db:migrate"];
    expect(migratorRules(broken)).toContain('railway preDeployCommand: "npm run db:migrate" is not `node <migrator>`');
  });

  it("fails when production compose migrates from the development image", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.migrate.build.target = "development";
    expect(migratorRules(broken)).toContain("production compose migrate must run the runner image");
  });

  it("fails when the app no longer waits for the migration", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.depends_on.migrate;
    expect(migratorRules(broken)).toContain("compose app must wait for migrate to complete successfully");
  });
});

describe("shutdown timings", () => {
  it("every platform waits longer than the app's drain + timeout before SIGKILL", () => {
    expect(shutdownRules(files)).toEqual([]);
  });

  it("fails with Fly's default kill_timeout (5 s)", () => {
    const broken = copyOf(files);
    delete broken.fly.kill_timeout;
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 5s must exceed drain + timeout (15s) and be at most 300s",
    );
  });

  it("fails with Fly's default kill_signal (SIGINT)", () => {
    const broken = copyOf(files);
    delete broken.fly.kill_signal;
    expect(shutdownRules(broken)).toContain("fly kill_signal must be SIGTERM (Fly's default is SIGINT)");
  });

  it("fails when fly's [env] raises the shutdown timeout past kill_timeout", () => {
    const broken = copyOf(files);
    broken.fly.env.SHUTDOWN_TIMEOUT_SECONDS = "60";
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 30s must exceed drain + timeout (65s) and be at most 300s",
    );
  });

  it("fails when Fly's kill_timeout exceeds its 300 s maximum", () => {
    const broken = copyOf(files);
    broken.fly.kill_timeout = 600;
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 600s must exceed drain + timeout (15s) and be at most 300s",
    );
  });

  it("fails when Railway kills before the drain ends", () => {
    const broken = copyOf(files);
    broken.railway.deploy.drainingSeconds = 10;
    expect(shutdownRules(broken)).toContain("railway drainingSeconds 10 must exceed drain + timeout (15s)");
  });

  it("fails when Render's shutdown delay is too short", () => {
    const broken = copyOf(files);
    broken.render.services.find((service: { type: string }) => service.type === "web").maxShutdownDelaySeconds = 10;
    expect(shutdownRules(broken)).toContain(
      "render maxShutdownDelaySeconds 10 must exceed drain + timeout (15s) and be at most 300",
    );
  });

  it("fails with compose's default stop_grace_period (10 s)", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.stop_grace_period;
    expect(shutdownRules(broken)).toContain("compose app stop_grace_period 10s must exceed 15s");
  });
});
