import { describe, expect, it } from "vitest";
import { itWith } from "./absent";
import {
  copyOf,
  HEALTH_PROBES,
  healthPathRules,
  healthPaths,
  loadDeployFiles,
  migratorCommands,
  migratorRules,
  MIGRATOR_COMMAND,
  portRules,
  presentPlatforms,
  shutdownRules,
} from "./rules";

const files = loadDeployFiles();
const withFly = itWith(files, "fly");
const withRailway = itWith(files, "railway");
const withRender = itWith(files, "render");
const withCompose = itWith(files, "compose");

describe("health paths", () => {
  it("every probe points at a route the app serves", () => {
    expect(healthPathRules(files)).toEqual([]);
  });

  it("the platforms probe readiness and the image probes liveness", () => {
    expect(healthPaths(files)).toEqual({
      "Dockerfile HEALTHCHECK": "/health/live",
      ...Object.fromEntries(
        presentPlatforms(files).map((platform) => [
          HEALTH_PROBES[platform],
          platform === "compose" ? "/health/live" : "/health/ready",
        ]),
      ),
    });
  });

  withFly("fails when a platform probes a path that is not a route", () => {
    const broken = copyOf(files);
    broken.fly.http_service.checks[0].path = "/healthz";
    expect(healthPathRules(broken)).toContain("fly [[http_service.checks]]: /healthz is not a route in src/app");
  });

  withRender("fails when the readiness route disappears from src/app", () => {
    const broken = copyOf(files);
    broken.routes.delete("/health/ready");
    expect(healthPathRules(broken)).toContain("render healthCheckPath: /health/ready is not a route in src/app");
  });

  withRailway("fails when a platform routes on liveness instead of readiness", () => {
    const broken = copyOf(files);
    broken.railway.deploy.healthcheckPath = "/health/live";
    expect(healthPathRules(broken)).toContain("railway healthcheckPath must be /health/ready");
  });
});

describe("ports", () => {
  it("the Dockerfile, compose, Fly and Render agree on 3000", () => {
    expect(portRules(files)).toEqual([]);
  });

  withFly("fails when fly's internal_port differs", () => {
    const broken = copyOf(files);
    broken.fly.http_service.internal_port = 8080;
    expect(portRules(broken)).toContain("fly internal_port 8080 differs from PORT 3000");
  });

  withCompose("fails when compose publishes another container port", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.ports = ["127.0.0.1:3000:8080"];
    expect(portRules(broken)).toContain("production compose app publishes container port 8080, not 3000");
  });

  withRender("fails when Render is left to inject its default PORT", () => {
    const broken = copyOf(files);
    const web = broken.render.services.find((service: { type: string }) => service.type === "web");
    web.envVars = web.envVars.filter((entry: { key: string }) => entry.key !== "PORT");
    expect(portRules(broken)).toContain("render PORT undefined differs from 3000 (Render defaults to 10000)");
  });
});

describe("migrator", () => {
  it("every release step runs the migrator the image contains", () => {
    expect(migratorRules(files)).toEqual([]);
    // One release step per target present (none in a checkout that keeps no target), each the migrator.
    const commands = migratorCommands(files);
    expect(Object.keys(commands)).toHaveLength(presentPlatforms(files).length);
    for (const [where, command] of Object.entries(commands)) expect(command, where).toBe(MIGRATOR_COMMAND);
  });

  withFly("fails when a release command points at a file the image lacks", () => {
    const broken = copyOf(files);
    broken.fly.deploy.release_command = "node dist/db/migrate.mjs";
    expect(migratorRules(broken)).toContain(
      "fly release_command: /app/dist/db/migrate.mjs is not copied into the runner image",
    );
  });

  withRailway("fails when a pre-deploy command needs the dev toolchain", () => {
    const broken = copyOf(files);
    broken.railway.deploy.preDeployCommand = ["npm run db:migrate"];
    expect(migratorRules(broken)).toContain('railway preDeployCommand: "npm run db:migrate" is not `node <migrator>`');
  });

  withCompose("fails when production compose migrates from the development image", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.migrate.build.target = "development";
    expect(migratorRules(broken)).toContain("production compose migrate must run the runner image");
  });

  withCompose("fails when the app no longer waits for the migration", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.depends_on.migrate;
    expect(migratorRules(broken)).toContain("compose app must wait for migrate to complete successfully");
  });
});

describe("shutdown timings", () => {
  it("every platform waits longer than the app's drain + timeout before SIGKILL", () => {
    expect(shutdownRules(files)).toEqual([]);
  });

  withFly("fails with Fly's default kill_timeout (5 s)", () => {
    const broken = copyOf(files);
    delete broken.fly.kill_timeout;
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 5s must exceed drain + timeout (15s) and be at most 300s",
    );
  });

  withFly("fails with Fly's default kill_signal (SIGINT)", () => {
    const broken = copyOf(files);
    delete broken.fly.kill_signal;
    expect(shutdownRules(broken)).toContain("fly kill_signal must be SIGTERM (Fly's default is SIGINT)");
  });

  withFly("fails when fly's [env] raises the shutdown timeout past kill_timeout", () => {
    const broken = copyOf(files);
    broken.fly.env.SHUTDOWN_TIMEOUT_SECONDS = "60";
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 45s must exceed drain + timeout (65s) and be at most 300s",
    );
  });

  withFly("fails when Fly's kill_timeout exceeds its 300 s maximum", () => {
    const broken = copyOf(files);
    broken.fly.kill_timeout = 600;
    expect(shutdownRules(broken)).toContain(
      "fly kill_timeout 600s must exceed drain + timeout (15s) and be at most 300s",
    );
  });

  withRailway("fails when Railway kills before the drain ends", () => {
    const broken = copyOf(files);
    broken.railway.deploy.drainingSeconds = 10;
    expect(shutdownRules(broken)).toContain("railway drainingSeconds 10 must exceed drain + timeout (15s)");
  });

  withRender("fails when Render's shutdown delay is too short", () => {
    const broken = copyOf(files);
    broken.render.services.find((service: { type: string }) => service.type === "web").maxShutdownDelaySeconds = 10;
    expect(shutdownRules(broken)).toContain(
      "render maxShutdownDelaySeconds 10 must exceed drain + timeout (15s) and be at most 300",
    );
  });

  withCompose("fails with compose's default stop_grace_period (10 s)", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.stop_grace_period;
    expect(shutdownRules(broken)).toContain("compose app stop_grace_period 10s must exceed 15s");
  });
});

describe("a checkout without some platforms", () => {
  const without = (...platforms: ("fly" | "railway" | "render")[]) => {
    const cut = copyOf(files);
    for (const platform of platforms) delete cut[platform];
    return cut;
  };

  it("checks only the platforms present", () => {
    const onlyRender = without("fly", "railway");
    expect(presentPlatforms(onlyRender)).not.toContain("fly");
    expect(Object.keys(healthPaths(onlyRender)).some((where) => where.startsWith("fly"))).toBe(false);
    expect(Object.keys(migratorCommands(onlyRender)).some((where) => where.startsWith("railway"))).toBe(false);
    for (const rules of [healthPathRules, portRules, migratorRules, shutdownRules])
      expect(rules(onlyRender)).toEqual([]);
  });

  withRender("still finds a broken platform among those left", () => {
    const broken = without("fly", "railway");
    broken.render.services.find((service: { type: string }) => service.type === "web").healthCheckPath = "/healthz";
    expect(healthPathRules(broken)).toContain("render healthCheckPath: /healthz is not a route in src/app");
  });

  it("with no platform manifest at all, the image's own checks still run", () => {
    const bare = without("fly", "railway", "render");
    delete bare.compose.merged;
    expect(presentPlatforms(bare)).toEqual([]);
    expect(Object.keys(healthPaths(bare))).toEqual(["Dockerfile HEALTHCHECK"]);
    const broken = copyOf(bare);
    broken.routes.delete("/health/live");
    expect(healthPathRules(broken)).toContain("Dockerfile HEALTHCHECK: /health/live is not a route in src/app");
  });
});
