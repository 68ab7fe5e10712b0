import { describe, expect, it } from "vitest";
import { composeDurationSeconds, mergeCompose, parseCompose, untagCompose } from "../../../scripts/deploy-files.mjs";
import {
  balancerRules,
  ALLOWED_CAPABILITIES,
  containerHardeningRules,
  copyOf,
  databaseRoleRules,
  fileSecretRules,
  loadDeployFiles,
  monitoringComposeRules,
  productionComposeRules,
} from "./rules";
import { absent } from "./absent";

const files = loadDeployFiles();

describe("local compose stack", () => {
  const { base } = files.compose;

  it("runs postgres 17 with a pg_isready healthcheck on a named volume", () => {
    expect(base.services.postgres.image).toMatch(/^postgres:17\b/);
    expect(base.services.postgres.healthcheck.test.join(" ")).toContain("pg_isready");
    expect(base.services.postgres.volumes[0]).toMatch(/^postgres-data:/);
    expect(base.volumes).toHaveProperty("postgres-data");
  });

  it("migrates once postgres is healthy, and starts the app after a successful migration with redis healthy", () => {
    expect(base.services.migrate.depends_on.postgres.condition).toBe("service_healthy");
    expect(base.services.app.depends_on).toEqual({
      migrate: { condition: "service_completed_successfully" },
      redis: { condition: "service_healthy" },
    });
  });

  it("builds the development target for the app and the runner only under a profile", () => {
    expect(base.services.app.build.target).toBe("development");
    expect(base.services["app-runner"].build.target).toBe("runner");
    expect(base.services["app-runner"].profiles).toEqual(["runner"]);
  });

  it("runs the runner image's worker beside it, with the same environment, after the migration", () => {
    const runner = base.services["app-runner"];
    const worker = base.services["worker-runner"];
    expect(worker.profiles).toEqual(["runner"]);
    expect(worker.image).toBe(runner.image);
    expect(worker.command).toEqual(["node", "worker.mjs"]);
    expect(worker.env_file).toEqual(runner.env_file);
    const { WORKER_PORT, ...environment } = worker.environment;
    expect(environment).toEqual(runner.environment);
    expect(WORKER_PORT).toBe("3001");
    expect(worker.ports).toBeUndefined();
    expect(worker.depends_on.migrate).toEqual({ condition: "service_completed_successfully" });
  });

  it("reads .env only when it exists", () => {
    expect(base.services.app.env_file).toEqual([{ path: ".env", required: false }]);
  });
});

describe.skipIf(absent(files, "compose"))("production compose", () => {
  it("gives every service limits, a restart policy, a healthcheck, rotated logs and file secrets", () => {
    expect(productionComposeRules(files)).toEqual([]);
  });

  it("needs no Redis, but a Redis it runs must require its password", () => {
    const withoutRedis = copyOf(files);
    delete withoutRedis.compose.merged.services.redis;
    expect(productionComposeRules(withoutRedis)).toEqual([]);
    const open = copyOf(files);
    open.compose.merged.services.redis = { ...open.compose.merged.services.redis, command: ["redis-server"] };
    expect(productionComposeRules(open)).toContain("redis: must require the password from /run/secrets/redis_password");
  });

  it("fails when a service has no resource limits", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.deploy;
    expect(productionComposeRules(broken)).toContain("postgres: deploy.resources.limits needs cpus and memory");
  });

  it("fails when a long-running service has no healthcheck", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.healthcheck;
    expect(productionComposeRules(broken)).toContain("postgres: no healthcheck");
  });

  it("fails when a long-running service disables its healthcheck", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.healthcheck = { disable: true };
    expect(productionComposeRules(broken)).toContain("app: a long-running service cannot disable its healthcheck");
  });

  it("fails when a service has no restart policy", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.restart;
    expect(productionComposeRules(broken)).toContain("app: no restart policy");
  });

  it("fails when logs are not rotated", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.logging;
    expect(productionComposeRules(broken)).toContain(
      "postgres: logs must rotate (json-file with max-size and max-file)",
    );
  });

  it("fails when the app publishes a port of its own", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.ports = ["3000:3000"];
    expect(productionComposeRules(broken)).toContain(
      "app: publishes ports in production (only caddy is reachable from outside)",
    );
  });

  it("fails when postgres keeps its development port", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.postgres.ports = ["127.0.0.1:5432:5432"];
    expect(productionComposeRules(broken)).toContain(
      "postgres: publishes ports in production (only caddy is reachable from outside)",
    );
  });

  it("fails on a secret set inline instead of through a file", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.environment.SESSION_SECRET = "a-session-secret-in-plain-sight-0000";
    expect(productionComposeRules(broken)).toContain(
      "app: SESSION_SECRET is set inline; production secrets come from /run/secrets via SESSION_SECRET_FILE",
    );
  });

  it("fails when a *_FILE points at a secret the service does not mount", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.secrets = broken.compose.merged.services.app.secrets.filter(
      (secret: string) => secret !== "metrics_token",
    );
    expect(productionComposeRules(broken)).toContain(
      "app: METRICS_TOKEN_FILE reads metrics_token, which is not mounted",
    );
  });

  it("fails when postgres takes its password from anywhere but the secret", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.environment.POSTGRES_PASSWORD_FILE;
    expect(productionComposeRules(broken)).toContain(
      "postgres: POSTGRES_PASSWORD_FILE must read /run/secrets/postgres_password",
    );
  });

  it("fails when a secret file lives outside ./secrets", () => {
    const broken = copyOf(files);
    broken.compose.merged.secrets.session_secret.file = "./session_secret.txt";
    expect(productionComposeRules(broken)).toContain(
      "secret session_secret must come from ./secrets/session_secret.txt",
    );
  });
});

describe.skipIf(absent(files, "compose"))("production compose container hardening (issue 14, finding 9)", () => {
  it("runs every service read-only with tmpfs, no capability it does not need, no-new-privileges and a pids_limit", () => {
    expect(containerHardeningRules(files)).toEqual([]);
  });

  it("covers every long-running service, the monitoring profile's too", () => {
    for (const name of [
      "postgres",
      "redis",
      "migrate",
      "backup",
      "app",
      "caddy",
      "prometheus",
      "alertmanager",
      "grafana",
    ]) {
      const broken = copyOf(files);
      delete broken.compose.merged.services[name].read_only;
      expect(containerHardeningRules(broken), name).toEqual([`${name}: must run with read_only: true`]);
    }
  });

  it("fails on a new service that is not hardened", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.worker = { image: "slipway:latest" };
    expect(containerHardeningRules(broken)).toEqual([
      "worker: must run with read_only: true",
      "worker: needs a tmpfs at /tmp (read-only root)",
      "worker: must cap_drop: [ALL]",
      "worker: needs security_opt no-new-privileges:true",
      "worker: needs a pids_limit",
    ]);
  });

  it("fails when a service keeps its capabilities", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.cap_drop;
    expect(containerHardeningRules(broken)).toEqual(["postgres: must cap_drop: [ALL]"]);
  });

  it("fails when a service adds back a capability it does not need", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.cap_add = ["NET_BIND_SERVICE"];
    broken.compose.merged.services.postgres.cap_add.push("SYS_ADMIN");
    expect(containerHardeningRules(broken)).toEqual([
      "postgres: adds capability SYS_ADMIN, which it does not need",
      "app: adds capability NET_BIND_SERVICE, which it does not need",
    ]);
  });

  it("adds back only what the images' root entrypoints need (chown, then drop to their user)", () => {
    expect(files.compose.merged.services.postgres.cap_add).toEqual(ALLOWED_CAPABILITIES.postgres);
    expect(files.compose.merged.services.app.cap_add).toBeUndefined();
    expect(files.compose.merged.services.backup.user).toBe("postgres");
    expect(files.compose.merged.services.backup.cap_add).toBeUndefined();
  });

  it("fails without no-new-privileges, a pids_limit or the tmpfs a service writes", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.redis.security_opt;
    delete broken.compose.merged.services.caddy.pids_limit;
    broken.compose.merged.services.backup.tmpfs = [];
    broken.compose.merged.services.app.tmpfs = ["/tmp"];
    expect(containerHardeningRules(broken)).toEqual([
      "redis: needs security_opt no-new-privileges:true",
      "backup: needs a tmpfs at /tmp (read-only root)",
      "caddy: needs a pids_limit",
      "app: needs a tmpfs at /app/.next/cache (Next's cache, the only directory the server writes)",
    ]);
  });

  it("leaves only the hand-run restore shell writable", () => {
    expect(files.compose.merged.services.restore.profiles).toEqual(["restore"]);
    expect(files.compose.merged.services.restore.read_only).toBeUndefined();
  });
});

describe.skipIf(absent(files, "compose"))("production compose database roles (ADR 0010)", () => {
  it("connects the app and the migrator as the owner role, never the image's superuser", () => {
    expect(databaseRoleRules(files)).toEqual([]);
  });

  it("fails when the app's database user is the superuser the postgres image creates", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.postgres.environment.POSTGRES_USER = "slipway";
    expect(databaseRoleRules(broken)).toEqual(
      expect.arrayContaining([
        "database_url connects as slipway, the postgres image's superuser (POSTGRES_USER)",
        "postgres: POSTGRES_USER must not be the owner role slipway (the image makes it a superuser)",
      ]),
    );
  });

  it("fails when the app reads another database URL than the owner's", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.environment.DATABASE_URL_FILE = "/run/secrets/postgres_superuser_url";
    expect(databaseRoleRules(broken)).toContain("app: DATABASE_URL_FILE must read /run/secrets/database_url");
  });

  it("fails when the owner role has no password secret", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.postgres.environment.SLIPWAY_DATABASE_PASSWORD_FILE;
    expect(databaseRoleRules(broken)).toContain(
      "postgres: SLIPWAY_DATABASE_PASSWORD_FILE must name the owner's password secret",
    );
  });

  it("fails when the database image does not create the owner role", () => {
    const broken = copyOf(files);
    const [stage] = broken.database.dockerfile.stages;
    stage!.instructions = stage!.instructions.filter(({ args }) => !args.includes("app-owner-role.sh"));
    expect(databaseRoleRules(broken)).toContain(
      "db/postgres/Dockerfile must copy postgres/app-owner-role.sh into /docker-entrypoint-initdb.d/ (it creates the owner role)",
    );
  });
});

describe.skipIf(absent(files, "compose"))("compose monitoring profile", () => {
  const services = () => copyOf(files).compose.merged.services;

  it("runs pinned official images, hardened, configured read-only from ops/, agreeing with the app", () => {
    expect(monitoringComposeRules(files)).toEqual([]);
  });

  it("starts nothing by default: every monitoring service is behind the profile", () => {
    for (const name of ["prometheus", "alertmanager", "grafana"]) {
      expect(files.compose.merged.services[name].profiles, name).toEqual(["monitoring"]);
    }
  });

  it("fails on an unpinned image", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.grafana.image = "grafana/grafana:latest";
    expect(monitoringComposeRules(broken)).toContain(
      "grafana: image must be grafana/grafana pinned to a release tag, not grafana/grafana:latest",
    );
  });

  it("fails on an image that is not the official one", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.prometheus.image = "bitnami/prometheus:2.53.3";
    expect(monitoringComposeRules(broken)).toContain(
      "prometheus: image must be prom/prometheus pinned to a release tag, not bitnami/prometheus:2.53.3",
    );
  });

  it("fails when configuration is mounted writable", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.prometheus.volumes = [
      "./ops/prometheus:/etc/prometheus",
      "prometheus-data:/prometheus",
    ];
    expect(monitoringComposeRules(broken)).toContain("prometheus: ./ops/prometheus must be mounted read-only (:ro)");
  });

  it("fails when a service mounts something outside ops/", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.alertmanager.volumes.push("./secrets:/secrets:ro");
    expect(monitoringComposeRules(broken)).toContain("alertmanager: mounts ./secrets, outside ./ops/");
  });

  it("fails when Prometheus or Alertmanager publish a port, or Grafana binds to every interface", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.prometheus.ports = ["127.0.0.1:9090:9090"];
    broken.compose.merged.services.grafana.ports = ["3030:3000"];
    expect(monitoringComposeRules(broken)).toEqual(
      expect.arrayContaining([
        "prometheus: publishes a port (only grafana and loki may, on loopback)",
        'grafana: port "3030:3000" must bind to 127.0.0.1',
      ]),
    );
  });

  it("fails when the Grafana admin password is set inline", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD = "admin";
    expect(monitoringComposeRules(broken)).toContain(
      "grafana: GF_SECURITY_ADMIN_PASSWORD is set inline; read it from /run/secrets via GF_SECURITY_ADMIN_PASSWORD__FILE or GF_SECURITY_ADMIN_PASSWORD_FILE",
    );
  });

  it("fails when Prometheus does not mount the metrics token the scrape reads", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.prometheus.secrets = [];
    expect(monitoringComposeRules(broken)).toContain(
      "prometheus: does not mount the secret behind /run/secrets/metrics_token",
    );
  });

  it("fails when the scrape and the app read the token from different secrets", () => {
    const broken = copyOf(files);
    broken.monitoring.prometheus.scrape_configs[0].authorization.credentials_file = "/run/secrets/other_token";
    expect(monitoringComposeRules(broken)).toContain(
      "prometheus.yml reads the token from /run/secrets/other_token, the app from /run/secrets/metrics_token",
    );
  });

  it("fails when prometheus.yml scrapes another service or path", () => {
    const broken = copyOf(files);
    broken.monitoring.prometheus.scrape_configs[0].static_configs = [{ targets: ["web:8080"] }];
    broken.monitoring.prometheus.scrape_configs[0].metrics_path = "/metrics";
    expect(monitoringComposeRules(broken)).toEqual(
      expect.arrayContaining([
        "prometheus.yml must scrape the compose app service at app:3000",
        "prometheus.yml: /metrics is not a route in src/app",
      ]),
    );
  });

  it("fails when Alertmanager reads a secret file it does not mount", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.alertmanager.secrets = [];
    expect(monitoringComposeRules(broken)).toContain(
      "alertmanager.yml reads /run/secrets/alertmanager_webhook_url, which the alertmanager service does not mount as a secret",
    );
  });

  it("fails when Grafana's dashboards are not where its provider looks", () => {
    const broken = copyOf(files);
    broken.monitoring.grafanaDashboards.providers[0].options.path = "/var/lib/grafana/dashboards";
    expect(monitoringComposeRules(broken)).toContain(
      "grafana must mount ./ops/grafana/dashboards at the provider's path /var/lib/grafana/dashboards",
    );
  });

  it("fails when a monitoring service is not read-only or has no healthcheck", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.alertmanager.read_only;
    delete broken.compose.merged.services.grafana.healthcheck;
    expect(monitoringComposeRules(broken)).toEqual(
      expect.arrayContaining(["alertmanager: must run with read_only: true", "grafana: no healthcheck"]),
    );
  });

  it("is checked on a copy, never on the shared files", () => {
    expect(services().grafana.ports).toEqual(["127.0.0.1:3030:3000"]);
  });
});

describe.skipIf(absent(files, "compose"))("file secrets", () => {
  it("wires every *_FILE the app reads into the production app service", () => {
    expect(fileSecretRules(files)).toEqual([]);
  });

  it("fails when one of the app's secrets is not wired", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.environment.CLERK_WEBHOOK_SECRET_FILE;
    expect(fileSecretRules(broken)).toContain("production app does not set CLERK_WEBHOOK_SECRET_FILE");
  });

  it("fails when .env could shadow a file secret", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.app.environment.METRICS_TOKEN;
    expect(fileSecretRules(broken)).toContain(
      'production app must set METRICS_TOKEN: "" so .env cannot shadow METRICS_TOKEN_FILE',
    );
  });
});

describe("compose merging (docker compose -f base -f overlay)", () => {
  const base = untagCompose(
    parseCompose(
      "services:\n  a:\n    ports: ['1:1']\n    command: [x, y]\n    environment: {A: '1', B: '2'}\n    volumes: ['.:/app']\n",
    ),
  );

  it("appends sequences and merges mappings", () => {
    const merged = mergeCompose(base, parseCompose("services:\n  a:\n    ports: ['2:2']\n    environment: {B: '3'}\n"));
    expect(merged.services.a.ports).toEqual(["1:1", "2:2"]);
    expect(merged.services.a.environment).toEqual({ A: "1", B: "3" });
  });

  it("replaces command instead of appending", () => {
    const merged = mergeCompose(base, parseCompose("services:\n  a:\n    command: [z]\n"));
    expect(merged.services.a.command).toEqual(["z"]);
  });

  it("drops a value tagged !reset and replaces one tagged !override", () => {
    const merged = mergeCompose(
      base,
      parseCompose("services:\n  a:\n    volumes: !reset []\n    ports: !override ['127.0.0.1:3:3']\n"),
    );
    expect(merged.services.a).not.toHaveProperty("volumes");
    expect(merged.services.a.ports).toEqual(["127.0.0.1:3:3"]);
  });

  it("reads Compose durations", () => {
    expect(composeDurationSeconds("1m30s")).toBe(90);
    expect(composeDurationSeconds("500ms")).toBe(0.5);
    expect(() => composeDurationSeconds("30")).toThrow();
  });
});

describe.skipIf(absent(files, "compose"))("the production balancer (Caddy)", () => {
  it("runs ops/caddy/Caddyfile from a pinned Caddy 2.6 on ports 80 and 443, in front of a healthy app", () => {
    expect(balancerRules(files)).toEqual([]);
  });

  it("fails when the Caddy image floats", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.caddy.image = "caddy:latest";
    expect(balancerRules(broken)).toContain(
      "caddy image must be pinned to caddy:2.6.x (the version the rehearsal runs), not caddy:latest",
    );
  });

  it("fails when the Caddyfile is not the repository's, read-only", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.caddy.volumes = broken.compose.merged.services.caddy.volumes.map((volume: string) =>
      volume.replace(":/etc/caddy/Caddyfile:ro", ":/etc/caddy/Caddyfile"),
    );
    expect(balancerRules(broken)).toContain("caddy must mount ./ops/caddy/Caddyfile read-only at /etc/caddy/Caddyfile");
  });

  it("fails when certificates would be lost with the container", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.caddy.volumes = broken.compose.merged.services.caddy.volumes.filter(
      (volume: string) => !volume.endsWith(":/data"),
    );
    expect(balancerRules(broken)).toContain("caddy must keep /data (certificates) in a named volume");
  });

  it("fails when the app publishes a host port beside the balancer", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.app.ports = ["127.0.0.1:3000:3000"];
    expect(balancerRules(broken)).toContain(
      "app must publish no host port: blue-green runs two app containers, the balancer reaches them",
    );
  });
});
