import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formLabelled, formsIn, submitForm, type HtmlForm } from "../../support/forms";
import { apiReadStep, apiWriteStep, healthStep, send, startLoad, type LoadStep } from "../../support/load";
import { missingRequirement } from "../../support/requirements";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";
import { startTopology, type Topology } from "../../support/topology";

/**
 * Many instances, proven (issue 14): three production instances of one build behind Caddy, one
 * PostgreSQL, one Redis. Sessions, server actions and rate limits work across instances; a
 * draining instance and a Redis outage cost no request. (A SIGKILLed instance leaving the rotation
 * within one health-check interval: tests/integration/topology/topology.test.ts.)
 */
const skip =
  missingRequirement("caddy", "three instances behind a load balancer") ||
  missingRequirement("redis-server", "rate limits shared through Redis");

/** The anonymous API limit these instances share: small, so a test reaches it. */
const ANONYMOUS_LIMIT = 9;

describe.skipIf(skip)("three instances behind Caddy", () => {
  let topology: Topology;
  let tenant: TenantFixture;
  let cookie: string;
  const url = (name: string) => topology.instances.get(name)!.url;

  beforeAll(async () => {
    topology = await startTopology({
      instances: ["a", "b", "c"],
      env: { RATE_LIMIT_API_ANONYMOUS: `${ANONYMOUS_LIMIT}/60`, AUTH_MODE: "local" },
    });
    const sql = adminSql(topology.databaseUrl);
    tenant = await createTenant(sql, { projects: ["Shared"] });
    await sql`update users set external_user_id = ${`local_scale_${tenant.slug}`} where id = ${tenant.adminId}`;
    await sql.end();
    cookie = await topology.cookieFor(tenant.adminId, tenant.tenantId);
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  });

  it("accepts a session signed in on one instance on every other", async () => {
    const page = await (await fetch(`${url("a")}/sign-in`)).text();
    const form = formLabelled(page, new RegExp(`^Sign in to ${tenant.slug.replace("t-", "Tenant ")} as admin$`));
    const signedIn = await submitForm(`${url("a")}/sign-in`, form);
    expect(signedIn.status).toBe(303);
    const session = /slipway_session=[^;]+/.exec(signedIn.headers.get("set-cookie") ?? "")?.[0];
    expect(session).toBeTruthy();
    for (const name of ["b", "c"]) {
      const me = await fetch(`${url(name)}/api/v1/me`, { headers: { cookie: session! } });
      expect(me.status, name).toBe(200);
      expect(((await me.json()) as { user: { id: string } }).user.id).toBe(tenant.adminId);
    }
  });

  it("runs a server action rendered by one instance when another receives it", async () => {
    const page = await (await fetch(`${url("a")}/projects/new`, { headers: { cookie } })).text();
    const form = formLabelled(page, /Create project/);
    const response = await submitForm(`${url("b")}/projects/new`, form, {
      cookie,
      set: { name: "Made across instances", description: "rendered by a, run by b" },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/^\/projects\/[0-9a-f-]{36}\?created=1$/);
    const sql = adminSql(topology.databaseUrl);
    const [row] = await sql`select count(*)::int as n from projects where name = 'Made across instances'`;
    await sql.end();
    expect(row!.n).toBe(1);
  });

  it("counts a rate limit across all three: N+1 requests spread over them get exactly one 429", async () => {
    const client = { "x-forwarded-for": "203.0.113.77" };
    const statuses: number[] = [];
    for (let index = 0; index <= ANONYMOUS_LIMIT; index++) {
      const instance = ["a", "b", "c"][index % 3]!;
      statuses.push((await fetch(`${url(instance)}/api/v1/projects`, { headers: client })).status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(429);
  });

  /** The steps of a mixed load: reads, writes, sign-ins and server actions, through Caddy. */
  async function mixedSteps(): Promise<LoadStep[]> {
    const signInPage = await (await fetch(`${topology.url}/sign-in`)).text();
    const signIn = formsIn(signInPage).find((form) => /^Sign in to .+ as (admin|member)$/.test(form.text))!;
    const newProject = formLabelled(
      await (await fetch(`${topology.url}/projects/new`, { headers: { cookie } })).text(),
      /Create project/,
    );
    const formStep = (name: string, path: string, form: HtmlForm, fields: () => Record<string, string>): LoadStep => ({
      name,
      expect: (status) => status === 303,
      run: async (baseUrl) => {
        const response = await submitForm(`${baseUrl}${path}`, form, { cookie, set: fields() });
        await response.arrayBuffer();
        return { status: response.status };
      },
    });
    return [
      healthStep(),
      apiReadStep(cookie, 3),
      apiWriteStep(cookie),
      formStep("sign in (server action)", "/sign-in", signIn, () => ({})),
      formStep("create a project (server action)", "/projects/new", newProject, () => ({
        name: `Action ${Math.random().toString(36).slice(2)}`,
      })),
    ];
  }

  it("drains an instance sent SIGTERM under a mixed load with 0 failed requests", async () => {
    const load = startLoad({ baseUrl: topology.url, ratePerSecond: 30, durationMs: 20_000, steps: await mixedSteps() });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    load.mark("draining b");
    const exit = await topology.stopInstance("b", "SIGTERM");
    load.mark("after b");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const report = await load.stop();
    console.log(
      `[scale-out] drain: ${report.requests} requests, ${report.failures.length} failed, p99 ${report.latencyMs.p99} ms`,
    );
    expect(exit).toBe(0);
    expect(report.failures).toEqual([]);
    expect(report.byStep["sign in (server action)"]!.requests).toBeGreaterThan(0);
    expect(report.byStep["create a project (server action)"]!.requests).toBeGreaterThan(0);
    await topology.route(["a", "c"]);
  });

  it("keeps serving with Redis down: rate limits fall back to each instance, 0 failed requests", async () => {
    const load = startLoad({ baseUrl: topology.url, ratePerSecond: 30, durationMs: 20_000, steps: await mixedSteps() });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    load.mark("redis down");
    await topology.redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    load.mark("redis back");
    await topology.redis.start();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const report = await load.stop();
    console.log(
      `[scale-out] redis: ${report.requests} requests, ${report.failures.length} failed, p99 ${report.latencyMs.p99} ms`,
    );
    expect(report.failures).toEqual([]);
    expect(report.phases.find((phase) => phase.name === "redis down")!.requests).toBeGreaterThan(50);
    const scrapes = await Promise.all(
      ["a", "c"].map(async (name) => {
        const { response } = await send(`${url(name)}/api/metrics`, {
          headers: { authorization: `Bearer ${topology.metricsToken}` },
        });
        return response.text();
      }),
    );
    expect(scrapes.join("\n")).toMatch(/slipway_rate_limit_fallback_total\{policy="(api-write|server-action)"\} [1-9]/);
  });
});
