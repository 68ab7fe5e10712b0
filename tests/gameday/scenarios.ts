import { readFileSync } from "node:fs";
import type { LoadFailure } from "../support/load";
import { call } from "../support/projects-api";
import { createTenant } from "../support/tenants";
import { idleInTransaction, postmasterPid, type Lab, type RunbookRun } from "./lab";

/**
 * The game day's incidents. Each one breaks something real, waits for its alert in Prometheus,
 * checks that the app's health endpoints say the same thing, then recovers by running the
 * runbook's own blocks (docs/runbooks, never copied here) and states how many of the background
 * load's requests may fail.
 */

export interface Phases {
  /** Failures of requests started between the fault and the start of the recovery commands. */
  incident: LoadFailure[];
  /** ... while the recovery commands ran, until the service was verified back. */
  recovery: LoadFailure[];
  /** ... after that, until the next scenario. */
  after: LoadFailure[];
}

export interface Scenario {
  id: string;
  title: string;
  /** The alert that must fire (and resolve), with the labels that pick the affected instance. */
  alert: string;
  alertLabels?: (lab: Lab) => Record<string, string>;
  /** The runbook section the alert links to. */
  runbook: string;
  /**
   * The alert reads a 5-minute window (a ratio or a quantile): it resolves once the window no
   * longer holds the incident, minutes after the recovery. Its resolution is awaited while the
   * next scenarios run (none of which produces what the window measures).
   */
  resolvesInBackground?: boolean;
  /** From the start of the recovery commands to the alert inactive. */
  resolveWithinMs: number;
  /** Background resolutions (by alert name) that this scenario's side effects would disturb. */
  waitsFor?: string[];
  /** What the load may lose, in words (the report shows it next to the counts). */
  failureBound: string;
  /** Problems when the load lost more than the bound allows. */
  checkFailures: (phases: Phases) => string[];
  /** Arranges what the fault needs before it (not part of the incident). */
  prepare?: (lab: Lab) => Promise<void>;
  inject: (lab: Lab) => Promise<void>;
  /** While the alert fires: the health endpoints' story. */
  confirm: (lab: Lab, check: CheckFn) => Promise<void>;
  /** The runbook's diagnosis and recovery blocks. */
  recover: (lab: Lab, check: CheckFn) => Promise<void>;
  /** After recovery: the service is back (the "after" phase of the load starts here). */
  restored: (lab: Lab, check: CheckFn) => Promise<void>;
  /** Undoes `prepare` once the alert resolved. */
  teardown?: (lab: Lab) => Promise<void>;
}

export type CheckFn = (name: string, ok: boolean, detail?: string) => void;

/** A 5-minute window clears 5 minutes after the incident's last bad request; then one evaluation. */
const WINDOWED_RESOLVE_MS = 5 * 60_000 + 30_000;
/** A gauge alert resolves at the first evaluation after the next scrape (plus the readiness cache). */
const GAUGE_RESOLVE_MS = 30_000;

interface HttpResult {
  status: number;
  body: unknown;
  text: string;
  requestId: string | null;
  durationMs: number;
  error?: string;
}

async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const started = performance.now();
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a page, or the balancer's own error)
    }
    return {
      status: response.status,
      body,
      text,
      requestId: response.headers.get("x-request-id"),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      body: null,
      text: "",
      requestId: null,
      durationMs: Math.round(performance.now() - started),
      error: cause?.code ?? String(error),
    };
  }
}

const summary = (result: HttpResult) =>
  result.error ? `no answer (${result.error})` : `${result.status} ${result.text.slice(0, 160)}`;

interface HealthBody {
  status?: string;
  failing?: string[];
  checks?: { database?: { status?: string }; redis?: { status?: string } };
}
const health = (result: HttpResult) => (typeof result.body === "object" ? (result.body as HealthBody) : {}) ?? {};

function createProject(lab: Lab, url = lab.topology.url): Promise<HttpResult> {
  return http(`${url}/api/v1/projects`, {
    method: "POST",
    headers: { cookie: lab.cookie, "content-type": "application/json" },
    body: JSON.stringify({ name: `Game day ${Date.now()}`, description: "probe" }),
  });
}

/** Runs a runbook block; a non-zero exit or output missing `expect` fails the check. */
async function block(
  lab: Lab,
  check: CheckFn,
  file: string,
  id: string,
  options: { env?: Record<string, string>; expect?: RegExp[] } = {},
): Promise<RunbookRun> {
  const run = await lab.runbook(file, id, options.env);
  const missing = (options.expect ?? []).filter((pattern) => !pattern.test(run.output));
  check(
    `runbook ${file} {run=${id}} succeeds${missing.length ? ` and prints ${missing.join(", ")}` : ""}`,
    run.exitCode === 0 && missing.length === 0,
    run.exitCode === 0 && missing.length === 0 ? undefined : `exit ${run.exitCode}:\n${run.output}`,
  );
  return run;
}

/**
 * db-terminate-blockers ends sessions that have blocked one of the app's queries for LONGER_THAN:
 * it finds the blocker only while an app query waits. Like an operator, run it again (a second
 * apart) until it has terminated one.
 */
async function terminateBlockers(lab: Lab, check: CheckFn, env: Record<string, string> = {}): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const run = await lab.runbook("latency.md", "db-terminate-blockers", env);
    if (run.exitCode !== 0) {
      check("runbook latency.md {run=db-terminate-blockers} succeeds", false, run.output);
      return;
    }
    if (/\|\s*t\s*$/m.test(run.output)) {
      check(
        `runbook latency.md {run=db-terminate-blockers} terminated the blocking session (attempt ${attempt})`,
        true,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  check(
    "runbook latency.md {run=db-terminate-blockers} terminated the blocking session",
    false,
    "no blocker found in 5 runs",
  );
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.warn(`[gameday] timed out waiting for ${what}`);
  return false;
}

/** The scraped value of `line` (a metric name with labels) from an instance's /api/metrics. */
async function metric(lab: Lab, url: string, line: string): Promise<number | undefined> {
  const result = await http(`${url}/api/metrics`, {
    headers: { authorization: `Bearer ${lab.topology.metricsToken}` },
  });
  const found = result.text.split("\n").find((entry) => entry.startsWith(`${line} `));
  return found ? Number(found.split(" ")[1]) : undefined;
}

const byStep = (failures: LoadFailure[]) => [...new Set(failures.map((failure) => failure.step))];
const onlySteps = (failures: LoadFailure[], allowed: string[], phase: string) => {
  const others = byStep(failures).filter((step) => !allowed.includes(step));
  return others.length ? [`${phase}: requests failed outside ${allowed.join(", ")}: ${others.join(", ")}`] : [];
};
const none = (failures: LoadFailure[], phase: string) =>
  failures.length ? [`${phase}: ${failures.length} requests failed (bound: none)`] : [];

const WRITE_STEP = "POST /api/v1/projects";
const PAGE_STEP = "GET /members";

// ---- the scenarios ------------------------------------------------------------------------------

const slowQueries = (() => {
  let blocker: Awaited<ReturnType<typeof idleInTransaction>> | undefined;
  return {
    id: "slow-queries",
    title: "Slow queries: a lock held, requests hit the statement timeout",
    alert: "SlipwayApiLatencyHigh",
    runbook: "latency.md#api-latency-over-target-slipwayapilatencyhigh",
    resolvesInBackground: true,
    resolveWithinMs: WINDOWED_RESOLVE_MS,
    failureBound: "only API writes (they need the locked table) fail, until the blocker is ended; none after",
    checkFailures: ({ incident, recovery, after }) => [
      ...onlySteps(incident, [WRITE_STEP], "incident"),
      ...onlySteps(recovery, [WRITE_STEP], "recovery"),
      ...none(after, "after recovery"),
    ],
    inject: async (lab) => {
      // A forgotten interactive session (or a migration without lock_timeout) holding projects.
      blocker = await idleInTransaction(lab, "LOCK TABLE projects IN ACCESS EXCLUSIVE MODE;");
    },
    confirm: async (lab, check) => {
      const ready = await http(`${lab.topology.url}/health/ready`);
      check("readiness stays 200: a table lock is not an outage", ready.status === 200, summary(ready));
      const report = await http(`${lab.topology.url}/api/health`);
      check(
        "/api/health: healthy, database up (the checks' SELECT 1 needs no table)",
        report.status === 200 && health(report).checks?.database?.status === "up",
        summary(report),
      );
      const write = await createProject(lab);
      check(
        "an API write waits for the statement timeout (2 s), then answers 503 (database_timeout)",
        write.status === 503 && write.durationMs >= 1900,
        `${write.status} after ${write.durationMs} ms`,
      );
    },
    recover: async (lab, check) => {
      await block(lab, check, "latency.md", "logs-slow-requests", {
        env: { APP_LOG: lab.writeInstanceLogs() },
        expect: [/\/api\/v1\/projects\t2\d{3}/],
      });
      await block(lab, check, "troubleshooting.md", "db-locks", { expect: [/\|\s*psql\s*\|/] });
      await block(lab, check, "troubleshooting.md", "db-slow-queries");
      // The app's queries wait at most the statement timeout (2 s), less than the block's 5 s default.
      await terminateBlockers(lab, check, { LONGER_THAN: "500 milliseconds" });
      blocker?.child.stdin?.end();
    },
    restored: async (lab, check) => {
      const write = await createProject(lab);
      check("API writes succeed again", write.status === 201, summary(write));
    },
  } satisfies Scenario;
})();

const errorSpike = (() => {
  let failedRequestId: string | null = null;
  return {
    id: "error-spike",
    title: "Server errors: the app role lost a grant",
    alert: "SlipwayErrorSpike",
    runbook: "error-spike.md#server-errors-spike-slipwayerrorspike",
    resolvesInBackground: true,
    resolveWithinMs: WINDOWED_RESOLVE_MS,
    failureBound: "only signed-in requests (they query memberships) fail, until the grants are restored; none after",
    checkFailures: ({ incident, recovery, after }) => [
      ...onlySteps(incident, [PAGE_STEP, WRITE_STEP], "incident"),
      ...onlySteps(recovery, [PAGE_STEP, WRITE_STEP], "recovery"),
      ...none(after, "after recovery"),
    ],
    inject: async (lab) => {
      // A manual change, or a restore that lost the grants (error-spike.md).
      await lab.topology.sql`REVOKE SELECT ON memberships FROM slipway_app`;
    },
    confirm: async (lab, check) => {
      const ready = await http(`${lab.topology.url}/health/ready`);
      check("readiness stays 200: the database answers", ready.status === 200, summary(ready));
      const report = await http(`${lab.topology.url}/api/health`);
      check(
        "/api/health: healthy, database up",
        report.status === 200 && health(report).checks?.database?.status === "up",
        summary(report),
      );
      const page = await http(`${lab.topology.url}/members`, { headers: { cookie: lab.cookie } });
      failedRequestId = page.requestId;
      check("a signed-in page answers 500 with a request id", page.status === 500 && Boolean(page.requestId));
      const api = await http(`${lab.topology.url}/api/v1/me`, { headers: { cookie: lab.cookie } });
      check(
        "the API answers 500 internal_error without the database's message",
        api.status === 500 &&
          (api.body as { error?: { code?: string } }).error?.code === "internal_error" &&
          !api.text.includes("permission denied"),
        summary(api),
      );
    },
    recover: async (lab, check) => {
      const APP_LOG = lab.writeInstanceLogs();
      await block(lab, check, "error-spike.md", "logs-errors-by-route", {
        env: { APP_LOG },
        expect: [/\/members\t500/],
      });
      await block(lab, check, "troubleshooting.md", "logs-request-by-id", {
        env: { APP_LOG, REQUEST_ID: failedRequestId ?? "missing" },
        expect: [/"status":500/, /permission denied for table memberships/],
      });
      await block(lab, check, "troubleshooting.md", "logs-recent-errors", {
        env: { APP_LOG },
        expect: [/permission denied for table memberships/],
      });
      await block(lab, check, "error-spike.md", "app-role-privileges", {
        expect: [/^\s*memberships\s*\|\s*DELETE, INSERT, UPDATE\s*$/m],
      });
      await block(lab, check, "error-spike.md", "app-role-grants-restore", { expect: [/GRANT/] });
    },
    restored: async (lab, check) => {
      const page = await http(`${lab.topology.url}/members`, { headers: { cookie: lab.cookie } });
      check("the signed-in page answers 200 again", page.status === 200, `${page.status}`);
      await block(lab, check, "error-spike.md", "app-role-privileges", {
        expect: [/^\s*memberships\s*\|\s*DELETE, INSERT, SELECT, UPDATE\s*$/m],
      });
    },
  } satisfies Scenario;
})();

const redisDown = {
  id: "redis-down",
  title: "Redis stopped",
  alert: "SlipwayRedisDown",
  runbook: "redis-down.md#redis-unreachable-slipwayredisdown",
  resolveWithinMs: GAUGE_RESOLVE_MS,
  failureBound: "none: the app serves without Redis",
  checkFailures: ({ incident, recovery, after }) => [
    ...none(incident, "incident"),
    ...none(recovery, "recovery"),
    ...none(after, "after recovery"),
  ],
  inject: (lab) => lab.topology.redis.stop(),
  confirm: async (lab, check) => {
    for (const [name, instance] of Object.entries(lab.instances)) {
      const ready = await http(`${instance.url}/health/ready`);
      check(`${name}: readiness stays 200 (REDIS_REQUIRED is off)`, ready.status === 200, summary(ready));
      const report = await http(`${instance.url}/api/health`);
      check(
        `${name}: /api/health degraded, redis down`,
        report.status === 200 &&
          health(report).status === "degraded" &&
          health(report).checks?.redis?.status === "down",
        summary(report),
      );
    }
    const firing = async () =>
      (await lab.prometheus.alerts()).filter(
        (alert) => alert.labels.alertname === "SlipwayRedisDown" && alert.state === "firing",
      ).length;
    const everyInstance = await waitUntil(
      "SlipwayRedisDown on every instance",
      15_000,
      async () => (await firing()) === 3,
    );
    check("SlipwayRedisDown fires for every instance", everyInstance, `${await firing()} firing`);
  },
  recover: async (lab, check) => {
    const a = lab.instances.a.url;
    await block(lab, check, "redis-down.md", "redis-status", {
      env: { APP_URL: a },
      expect: [/Redis does not answer/, /"status": "down"/],
    });
    await block(lab, check, "redis-down.md", "redis-start", { expect: [/redis up/] });
    lab.adopt("redis-server (started by the runbook)", Number(readFileSync(lab.redisPidFile, "utf8")));
    for (const instance of Object.values(lab.instances)) {
      await block(lab, check, "redis-down.md", "redis-recovered", {
        env: { APP_URL: instance.url },
        expect: [/app reconnected to redis/],
      });
    }
    await block(lab, check, "redis-down.md", "metrics-redis-fallback", {
      env: { APP_URL: a },
      expect: [/^slipway_redis_up\{client="default"\} 1$/m, /^slipway_health_check_up\{check="redis"\} 1$/m],
    });
    // While Redis was away, the API writes of the load were limited in memory on each instance.
    await block(lab, check, "troubleshooting.md", "metrics-rate-limits", {
      env: { APP_URL: a },
      expect: [/^slipway_rate_limit_fallback_total\{policy="api-write"\} [1-9]/m],
    });
  },
  restored: async () => {},
} satisfies Scenario;

const instanceKilled = (() => {
  let environment: Record<string, string> = {};
  return {
    id: "instance-killed",
    title: "An app process killed (SIGKILL)",
    alert: "SlipwayInstanceDown",
    alertLabels: (lab) => ({ instance: lab.instances.a.hostPort }),
    runbook: "instance-down.md#one-instance-is-down-slipwayinstancedown",
    resolveWithinMs: GAUGE_RESOLVE_MS,
    failureBound:
      "at most the requests the killed process was answering (≤ 5); none once the balancer routed around it",
    checkFailures: ({ incident, recovery, after }) => [
      ...(incident.length > 5 ? [`incident: ${incident.length} requests failed (bound: 5)`] : []),
      ...none(recovery, "recovery"),
      ...none(after, "after recovery"),
    ],
    inject: async (lab) => {
      const { a } = lab.instances;
      // What the process ran with: on a host, its unit's environment file; here, /proc.
      environment = Object.fromEntries(
        readFileSync(`/proc/${a.server.process.pid}/environ`, "utf8")
          .split("\0")
          .filter(Boolean)
          .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
      );
      await lab.topology.stopInstance("a", "SIGKILL");
    },
    confirm: async (lab, check) => {
      const live = await http(`${lab.instances.a.url}/health/live`);
      check("the killed instance does not answer", live.status === 0, summary(live));
      const ready = await http(`${lab.topology.url}/health/ready`);
      check("through the balancer, readiness is 200 (b serves)", ready.status === 200, summary(ready));
      const down = (await lab.prometheus.alerts()).filter((alert) => alert.labels.alertname === "SlipwayDown");
      check("SlipwayDown does not fire: another instance answers", down.length === 0, JSON.stringify(down));
    },
    recover: async (lab, check) => {
      const { a } = lab.instances;
      await block(lab, check, "troubleshooting.md", "app-health-report", {
        env: { APP_URL: a.url },
        expect: [/no answer: the process is down or unreachable/],
      });
      const run = await block(lab, check, "instance-down.md", "app-start", {
        env: { ...environment, APP_URL: a.url, APP_DIR: a.release.dir },
        expect: [/started pid \d+/, /^ready$/m],
      });
      const pid = /started pid (\d+)/.exec(run.output)?.[1];
      if (pid) lab.adopt("instance a (started by the runbook)", Number(pid));
      await block(lab, check, "instance-down.md", "app-readiness", {
        env: { APP_URL: a.url },
        expect: [/\{"status":"ready"\}/],
      });
    },
    restored: async (lab, check) => {
      const back = await waitUntil("the balancer to route to a again", 10_000, async () => {
        const direct = await http(`${lab.instances.a.url}/api/health`);
        return direct.status === 200;
      });
      check("the restarted instance answers", back);
    },
  } satisfies Scenario;
})();

const postgresDown = {
  id: "postgres-down",
  title: "PostgreSQL stopped",
  alert: "SlipwayDatabaseDown",
  runbook: "database-down.md#postgresql-unreachable-slipwaydatabasedown",
  resolveWithinMs: GAUGE_RESOLVE_MS,
  failureBound: "requests during the outage fail (no instance is ready); none after recovery",
  checkFailures: ({ after }) => none(after, "after recovery"),
  inject: (lab) => lab.topology.postgres.stop(),
  confirm: async (lab, check) => {
    for (const [name, instance] of Object.entries(lab.instances)) {
      const ready = await http(`${instance.url}/health/ready`);
      check(
        `${name}: readiness 503, failing database`,
        ready.status === 503 && (health(ready).failing ?? []).includes("database"),
        summary(ready),
      );
      const report = await http(`${instance.url}/api/health`);
      check(
        `${name}: /api/health 503 unhealthy, database down`,
        report.status === 503 &&
          health(report).status === "unhealthy" &&
          health(report).checks?.database?.status === "down",
        summary(report),
      );
    }
    const balancer = await http(`${lab.topology.url}/health/ready`);
    check("the balancer has no ready instance (503)", balancer.status === 503, summary(balancer));
  },
  recover: async (lab, check) => {
    await block(lab, check, "database-down.md", "postgres-status", {
      env: { APP_URL: lab.instances.b.url },
      expect: [/PostgreSQL is not accepting connections/, /"status": "down"/],
    });
    const start = await block(lab, check, "database-down.md", "postgres-start", { expect: [/accepting connections/] });
    if (start.exitCode !== 0) throw new Error("PostgreSQL did not come back: the next scenarios cannot run");
    // pg_ctl's server: SIGINT is PostgreSQL's fast shutdown.
    lab.adopt("PostgreSQL (started by the runbook)", postmasterPid(lab.pgdata), "SIGINT");
    await block(lab, check, "database-down.md", "postgres-recovered", { expect: [/app ready/] });
    await block(lab, check, "instance-down.md", "app-readiness", { expect: [/\{"status":"ready"\}/] });
  },
  restored: async (lab, check) => {
    for (const [name, instance] of Object.entries(lab.instances)) {
      const ok = await waitUntil(
        `${name} ready`,
        10_000,
        async () => (await http(`${instance.url}/health/ready`)).status === 200,
      );
      check(`${name}: ready again`, ok);
    }
  },
} satisfies Scenario;

const poolExhaustion = (() => {
  let blocker: Awaited<ReturnType<typeof idleInTransaction>> | undefined;
  let otherTenant: { tenantId: string; cookie: string } | undefined;
  let stuck: Promise<HttpResult>[] = [];
  const inUse = (lab: Lab) => metric(lab, lab.instances.p.url, 'slipway_db_pool_connections{state="in_use"}');
  return {
    id: "pool-exhaustion",
    title: "Database pool exhausted: one instance's requests stuck behind a tenant's lock",
    alert: "SlipwayDatabasePoolSaturated",
    alertLabels: (lab) => ({ instance: lab.instances.p.hostPort }),
    runbook: "latency.md#database-pool-saturated-slipwaydatabasepoolsaturated",
    resolveWithinMs: GAUGE_RESOLVE_MS,
    failureBound: "none: the balanced instances keep serving; p's stuck writes complete after the blocker is ended",
    checkFailures: ({ incident, recovery, after }) => [
      ...none(incident, "incident"),
      ...none(recovery, "recovery"),
      ...none(after, "after recovery"),
    ],
    prepare: async (lab) => {
      // A second tenant whose writes go to p (DATABASE_POOL_MAX=2) only; the background load's
      // tenant and instances a and b are not involved.
      const tenant = await createTenant(lab.topology.sql);
      otherTenant = {
        tenantId: tenant.tenantId,
        cookie: await lab.topology.cookieFor(tenant.adminId, tenant.tenantId),
      };
      stuck = [];
    },
    inject: async (lab) => {
      // A long maintenance transaction on the tenant's row: every insert for the tenant waits for
      // it (the foreign key check locks the row). Three writes to p hold both of its connections
      // and queue the third; p's statement timeout (5 min) outlasts the incident.
      blocker = await idleInTransaction(
        lab,
        `SELECT id FROM tenants WHERE id = '${otherTenant!.tenantId}' FOR UPDATE;`,
      );
      for (let index = 0; index < 3; index++) {
        stuck.push(
          http(`${lab.instances.p.url}/api/v1/projects`, {
            method: "POST",
            headers: { cookie: otherTenant!.cookie, "content-type": "application/json" },
            body: JSON.stringify({ name: `Stuck ${index} ${Date.now()}`, description: "behind a lock" }),
            signal: AbortSignal.timeout(6 * 60_000),
          }),
        );
      }
    },
    confirm: async (lab, check) => {
      const { p } = lab.instances;
      const ready = await http(`${p.url}/health/ready`);
      check(
        "p stays ready: health checks have their own connection, outside the pool",
        ready.status === 200,
        summary(ready),
      );
      const used = await inUse(lab);
      check("p's pool gauge: in use > max (2): requests queue for a connection", (used ?? 0) > 2, `in_use ${used}`);
      const through = await http(`${lab.topology.url}/members`, { headers: { cookie: lab.cookie } });
      check("the balanced instances serve meanwhile", through.status === 200, `${through.status}`);
    },
    recover: async (lab, check) => {
      const { p } = lab.instances;
      await block(lab, check, "latency.md", "db-pool-snapshot", {
        env: { APP_URL: p.url },
        expect: [/slipway_db_pool_connections\{state="in_use"\} [3-9]/, /\|\s*Lock\s*\|/],
      });
      await block(lab, check, "troubleshooting.md", "db-pool-saturation", {
        env: { APP_URL: p.url },
        // waiting_on_locks: the two writes holding p's connections (the third waits for the pool).
        expect: [/\|\s*[1-9]\d*\s*$/m],
      });
      await terminateBlockers(lab, check);
      blocker?.child.stdin?.end();
    },
    restored: async (lab, check) => {
      const results = await Promise.all(stuck);
      check(
        "p's stuck writes complete once the blocker is gone",
        results.every((result) => result.status === 201),
        results.map(summary).join("; "),
      );
      const drained = await waitUntil("p's pool to drain", 10_000, async () => ((await inUse(lab)) ?? 99) < 2);
      check("p's pool drains", drained, `in_use ${await inUse(lab)}`);
    },
  } satisfies Scenario;
})();

/**
 * Invites a new address into a tenant through the balancer every `everyMs` until stopped (or for
 * at most `maxMs`), as an admin clicking "Invite" would: the ids of the invitations created, and
 * every answer other than 201.
 */
function inviteContinuously(lab: Lab, cookie: string, prefix: string, everyMs = 1000, maxMs = 5 * 60_000) {
  const ids: string[] = [];
  const refused: string[] = [];
  let stopped = false;
  const started = Date.now();
  const loop = (async () => {
    for (let index = 0; !stopped && Date.now() - started < maxMs; index++) {
      const next = Date.now() + everyMs;
      const response = await call(lab.topology.url, "/api/v1/invitations", {
        method: "POST",
        cookie,
        json: { email: `${prefix}-${index}@example.com`, role: "member" },
        signal: AbortSignal.timeout(10_000),
      }).catch((error: unknown) => ({ status: 0, body: String(error) }));
      if (response.status === 201) ids.push((response.body as { data: { id: string } }).data.id);
      else refused.push(`${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  })();
  return {
    ids,
    refused,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const workerKilled = (() => {
  let environment: Record<string, string> = {};
  let inviter: ReturnType<typeof inviteContinuously> | undefined;
  /** Invitations whose job the killed worker held: the at-least-once window (docs/jobs.md). */
  let heldAtKill = new Set<string>();
  let createdBeforeKill = 0;
  let tenantId = "";
  const deliveries = (lab: Lab, id: string) =>
    lab.smtp.mails.filter((mail) => mail.idempotencyKey === `invitation-${id}`).length;
  const queueDepth = (lab: Lab) =>
    metric(lab, lab.instances.b.url, 'slipway_job_queue_depth{queue="invitation-email"}');
  return {
    id: "worker-killed",
    title: "The worker killed (SIGKILL) while invitations keep coming",
    alert: "SlipwayWorkerDown",
    alertLabels: (lab) => ({ instance: lab.worker.hostPort }),
    runbook: "jobs.md#jobs-are-not-running-slipwayjobsnotrunning",
    resolveWithinMs: GAUGE_RESOLVE_MS,
    failureBound: "none: the web process serves without the worker; invitations wait in the queue",
    checkFailures: ({ incident, recovery, after }) => [
      ...none(incident, "incident"),
      ...none(recovery, "recovery"),
      ...none(after, "after recovery"),
    ],
    prepare: async (lab) => {
      // An organization of its own whose admin invites an address a second, from before the fault
      // until the backlog is drained; the worker mails them through the SMTP server.
      const tenant = await createTenant(lab.topology.sql, { projects: [] });
      tenantId = tenant.tenantId;
      const cookie = await lab.topology.cookieFor(tenant.adminId, tenant.tenantId);
      inviter = inviteContinuously(lab, cookie, `gameday-${tenant.slug}`);
      const flowing = await waitUntil(
        "the worker to mail the first invitations",
        30_000,
        async () => inviter!.ids.filter((id) => deliveries(lab, id) > 0).length >= 3,
      );
      if (!flowing) {
        throw new Error(
          `the worker mails no invitation before the fault: ${inviter.refused.slice(0, 3).join("; ")}
` + lab.worker.server.logs.slice(-15).join("\n"),
        );
      }
    },
    inject: async (lab) => {
      const { worker } = lab;
      // What the process ran with: on a host, its unit's environment file; here, /proc.
      environment = Object.fromEntries(
        readFileSync(`/proc/${worker.server.process.pid}/environ`, "utf8")
          .split("\0")
          .filter(Boolean)
          .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
      );
      await lab.topology.stopWorker(worker.name, "SIGKILL");
      createdBeforeKill = inviter!.ids.length;
      const held = await lab.topology.sql<{ id: string }[]>`
        select data -> 'payload' ->> 'invitationId' as id from pgboss.job
        where name = 'invitation-email' and state = 'active' and data ->> 'tenantId' = ${tenantId}`;
      heldAtKill = new Set(held.map((row) => row.id));
      lab.log(`  worker killed: ${createdBeforeKill} invitations so far, ${heldAtKill.size} of them held by it`);
    },
    confirm: async (lab, check) => {
      const live = await http(`${lab.worker.url}/health/live`);
      check("the killed worker does not answer", live.status === 0, summary(live));
      const ready = await http(`${lab.topology.url}/health/ready`);
      check("through the balancer, readiness is 200: the web process does not need the worker", ready.status === 200);
      const sinceKill = inviter!.ids.slice(createdBeforeKill);
      check(
        `invitations are still accepted (${sinceKill.length} since the kill, none refused)`,
        sinceKill.length > 0 && inviter!.refused.length === 0,
        inviter!.refused.slice(0, 3).join("; "),
      );
      const mailed = sinceKill.filter((id) => deliveries(lab, id) > 0);
      check("none of them is mailed while no worker runs", mailed.length === 0, `${mailed.length} mailed`);
      const depth = await queueDepth(lab);
      check("the app's queue gauge shows the backlog", (depth ?? 0) > 0, `slipway_job_queue_depth ${depth}`);
    },
    recover: async (lab, check) => {
      await block(lab, check, "jobs.md", "worker-ready", { expect: [/no answer/] });
      await block(lab, check, "jobs.md", "job-queue-metrics", {
        env: { APP_URL: lab.instances.b.url },
        expect: [/^slipway_job_queue_depth\{[^}]*queue="invitation-email"[^}]*\} [1-9]/m],
      });
      await block(lab, check, "jobs.md", "job-queue-states", { expect: [/^invitation-email created [1-9]/m] });
      const run = await block(lab, check, "jobs.md", "worker-start", {
        env: { ...environment, APP_DIR: lab.worker.release.dir },
        expect: [/started pid \d+/, /^ready$/m],
      });
      const pid = /started pid (\d+)/.exec(run.output)?.[1];
      if (pid) lab.adopt("worker w (started by the runbook)", Number(pid));
      await block(lab, check, "jobs.md", "worker-ready", { expect: [/\{"status":"ready"\}/] });
    },
    restored: async (lab, check) => {
      const restartedAt = Date.now();
      await inviter!.stop();
      const { ids, refused } = inviter!;
      check(`every invitation was accepted (${ids.length})`, refused.length === 0, refused.slice(0, 3).join("; "));
      // A held job returns to the queue once its timeout (30 s) has passed, at the next maintenance
      // (5 s here), after its retry delay: well within a minute of the restart.
      const drained = await waitUntil("every invitation's email", 60_000, async () =>
        ids.every((id) => deliveries(lab, id) > 0),
      );
      const lost = ids.filter((id) => deliveries(lab, id) === 0);
      check(
        `the backlog drains: all ${ids.length} invitations mailed ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the recovery`,
        drained,
        `${lost.length} never mailed`,
      );
      const twice = ids.filter((id) => !heldAtKill.has(id) && deliveries(lab, id) !== 1);
      check("each invitation the worker did not hold is mailed exactly once", twice.length === 0, twice.join(", "));
      const held = [...heldAtKill].filter((id) => deliveries(lab, id) > 2);
      check(
        `the ${heldAtKill.size} it held at the kill are mailed at most twice (the at-least-once window)`,
        held.length === 0,
        held.join(", "),
      );
      const [row] = await lab.topology.sql<{ unsent: string; dead: string }[]>`
        select (select count(*) from invitations where tenant_id = ${tenantId} and email_sent_at is null) as unsent,
               (select count(*) from pgboss.job where name = 'invitation-email' and state = 'failed'
                  and data ->> 'tenantId' = ${tenantId}) as dead`;
      check(
        "every invitation records its email, and no job is a dead letter",
        row!.unsent === "0" && row!.dead === "0",
        JSON.stringify(row),
      );
    },
    teardown: async () => {
      await inviter?.stop();
    },
  } satisfies Scenario;
})();

/**
 * The order keeps the run short: the two alerts on 5-minute windows come first, so their
 * resolution (minutes after the recovery) overlaps the scenarios whose alerts read gauges, none
 * of which feeds those windows beyond what the scenario's bound allows.
 */
export const SCENARIOS: Scenario[] = [
  slowQueries,
  errorSpike,
  redisDown,
  instanceKilled,
  postgresDown,
  poolExhaustion,
  workerKilled,
];
