import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { formLabelled, submitForm } from "../../support/forms";
import { migrateDatabase } from "../../support/migrate";
import { requireRedis, startRedis, type RedisHandle } from "../../support/redis";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createEmptyDatabase, createTenant } from "../../support/tenants";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";

/**
 * The security review's probes, replayed against the production server (local auth mode, a real
 * PostgreSQL and a real Redis), each now answered as it should be. Limits are set low so a few
 * requests reach them; each test speaks from its own client address (X-Forwarded-For behind one
 * trusted hop), so their counts never mix.
 */

const SESSION_SECRET = randomBytes(32).toString("hex");
const METRICS_TOKEN = "edge-metrics-token-0123456789";
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString("base64")}`;
let server: StandaloneServer;
let redis: RedisHandle | undefined;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
const admin = adminSql(inject("databaseUrl"));

let nextAddress = 1;
/** A fresh client address: every rate-limit test counts from zero. */
const client = () => ({ "x-forwarded-for": `198.51.100.${nextAddress++}` });

beforeAll(async () => {
  const database = await createEmptyDatabase(admin, inject("databaseUrl"));
  databaseUrl = database.url;
  dropDatabase = database.drop;
  await migrateDatabase(databaseUrl);
  await seedDatabase(databaseUrl);
  if (requireRedis(inject("redisUrl")).url) redis = await startRedis();
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis?.url,
      SESSION_SECRET,
      METRICS_TOKEN,
      CLERK_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TRUSTED_PROXY_HOPS: "1",
      // As fly.toml names Fly-Client-IP: requests without it fall back to the trusted hop.
      CLIENT_IP_HEADER: "X-Edge-Client-IP",
      RATE_LIMIT_SIGN_IN: "3/60",
      RATE_LIMIT_API_ANONYMOUS: "5/60",
      RATE_LIMIT_API_WRITE: "4/60",
      RATE_LIMIT_WEBHOOK: "5/60",
      RATE_LIMIT_TUNNEL: "5/60",
      // Never reached: the tunnel refuses the oversized envelopes before forwarding anything.
      NEXT_PUBLIC_SENTRY_DSN: "http://public@127.0.0.1:9/1",
    },
  });
  // Limits are counted in Redis once it is connected (before that, per instance in memory): wait.
  if (redis) await waitForRedis();
});

async function waitForRedis() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
      checks: { redis: { status: string } };
    };
    if (health.checks.redis.status === "up") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Redis did not connect");
}

/**
 * A POST whose body may be refused while it is still being sent: resolves with the status as soon
 * as the server answers (fetch would fail on the closed connection instead).
 */
/**
 * A POST of `chunks` × `chunkBytes`, or with `chunks` 0 only its headers: the server must answer
 * from them alone (a body sent anyway could make the server's close reset the connection before
 * the answer is read, on a loaded machine).
 */
function postRaw(
  path: string,
  headers: Record<string, string>,
  chunks: number,
  chunkBytes = 64 * 1024,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { method: "POST", headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      if (chunks === 0) request.destroy();
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (chunks === 0) {
      request.flushHeaders();
      return;
    }
    const chunk = Buffer.alloc(chunkBytes);
    let sent = 0;
    const pump = () => {
      while (sent < chunks && request.write(chunk)) sent++;
      if (sent < chunks) request.once("drain", pump);
      else request.end();
    };
    pump();
  });
}

afterAll(async () => {
  await server?.stop();
  await redis?.stop();
  await dropDatabase?.();
  await admin.end();
});

async function burst(count: number, send: () => Promise<Response>): Promise<Response[]> {
  const responses: Response[] = [];
  for (let index = 0; index < count; index++) responses.push(await send());
  return responses;
}

function expectLimited(response: Response, policy: string) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(response.headers.get("ratelimit-policy")).toMatch(new RegExp(`^"${policy}";q=\\d+;w=60$`));
  expect(response.headers.get("ratelimit")).toMatch(new RegExp(`^"${policy}";r=0;t=\\d+$`));
}

describe("rate limits (finding 2)", () => {
  it("answer anonymous API bursts with 429, Retry-After, the RateLimit headers and the JSON error shape", async () => {
    const headers = client();
    const responses = await burst(6, () => fetch(`${server.url}/api/v1/projects`, { headers }));
    expect(responses.slice(0, 5).map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    expectLimited(responses[5]!, "api-anonymous");
    expect(await responses[5]!.json()).toMatchObject({ error: { code: "rate_limited" } });
    // The refusal's log line says who was refused (and nothing else does).
    // Log lines arrive on the server's stdout stream, read asynchronously: wait for the line.
    await expect
      .poll(() => server.logs.some((line) => line.includes(`"clientIp":"${headers["x-forwarded-for"]}"`)))
      .toBe(true);
    const refusals = server.logs.filter((line) => line.includes(`"clientIp":"${headers["x-forwarded-for"]}"`));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"status":429');
  });

  it("count per client address: another client is not limited", async () => {
    const first = client();
    await burst(6, () => fetch(`${server.url}/api/v1/projects`, { headers: first }));
    expect((await fetch(`${server.url}/api/v1/projects`, { headers: client() })).status).toBe(401);
  });

  it("take the address from the trusted hop, not from what the client put further left", async () => {
    const responses = await burst(6, () =>
      fetch(`${server.url}/api/v1/projects`, {
        // A new forged left-most entry every time: the limit still counts 198.51.100.250.
        headers: { "x-forwarded-for": `10.${nextAddress++ % 250}.0.1, 198.51.100.250` },
      }),
    );
    expect(responses.at(-1)!.status).toBe(429);
  });

  it("take the address from the platform's client-address header when one is configured", async () => {
    const responses = await burst(6, () =>
      fetch(`${server.url}/api/v1/projects`, {
        // Every request from another hop address: the platform's header still names one client.
        headers: { "x-forwarded-for": `198.51.100.${nextAddress++}`, "x-edge-client-ip": "203.0.113.61" },
      }),
    );
    expect(responses.at(-1)!.status).toBe(429);
  });

  it("limit failed metrics scrapes per client", async () => {
    const headers = { ...client(), authorization: "Bearer wrong-token-000000000" };
    const responses = await burst(6, () => fetch(`${server.url}/api/metrics`, { headers }));
    expectLimited(responses[5]!, "api-anonymous");
    const scrape = await fetch(`${server.url}/api/metrics`, {
      headers: { ...client(), authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/slipway_rate_limit_rejected_total\{policy="api-anonymous"\} [1-9]/);
  });

  it("limit webhook deliveries per client, before any signature work", async () => {
    const headers = { ...client(), "content-type": "application/json" };
    const responses = await burst(6, () =>
      fetch(`${server.url}/api/webhooks/clerk`, { method: "POST", headers, body: "{}" }),
    );
    expect(responses.slice(0, 5).map((response) => response.status)).toEqual([400, 400, 400, 400, 400]);
    expectLimited(responses[5]!, "webhook");
  });

  it("limit API writes per user and tenant", async () => {
    const sql = adminSql(databaseUrl);
    const tenant = await createTenant(sql, { projects: [] });
    await sql.end();
    const cookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, SESSION_SECRET)}`;
    const responses = await burst(5, () =>
      fetch(`${server.url}/api/v1/projects`, {
        method: "POST",
        headers: { ...client(), cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: `Burst ${randomBytes(4).toString("hex")}` }),
      }),
    );
    expect(responses.slice(0, 4).map((response) => response.status)).toEqual([201, 201, 201, 201]);
    expect(responses[0]!.headers.get("ratelimit")).toMatch(/^"api-write";r=3;t=\d+$/);
    expectLimited(responses[4]!, "api-write");
    // Reads are not writes: the same user still lists.
    expect((await fetch(`${server.url}/api/v1/projects`, { headers: { ...client(), cookie } })).status).toBe(200);
  });

  it("limit sign-in per client and say so on the page, not with an error screen", async () => {
    const headers = client();
    const page = await (await fetch(`${server.url}/sign-in`, { headers })).text();
    const form = formLabelled(page, /^Sign in to Acme as admin$/);
    const statuses: number[] = [];
    let last = "";
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await submitForm(`${server.url}/sign-in`, form, { headers });
      statuses.push(response.status);
      last = await response.text();
    }
    expect(statuses.slice(0, 3)).toEqual([303, 303, 303]);
    expect(statuses[3]).toBe(200);
    expect(last).toContain("Too many requests. Try again in");
    expect(last).toContain('data-code="rate_limited"');
  });
});

describe("local sign-in accepts only what it offers (finding 1)", () => {
  it("refuses a user id the sign-in page does not list (a Clerk-provisioned user)", async () => {
    const sql = adminSql(databaseUrl);
    const [clerkUser] = await sql<{ id: string }[]>`
      insert into users (external_user_id, email, name) values (${`user_${randomBytes(6).toString("hex")}`}, 'real@example.com', 'Real User')
      returning id`;
    await sql.end();
    const headers = client();
    const page = await (await fetch(`${server.url}/sign-in`, { headers })).text();
    expect(page).not.toContain("Real User");
    const form = formLabelled(page, /^Sign in to Acme as admin$/);
    const response = await submitForm(`${server.url}/sign-in`, form, {
      headers,
      set: { userId: clerkUser!.id },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie") ?? "").not.toContain(LOCAL_SESSION_COOKIE);
    expect(await response.text()).toContain('data-code="sign_in_not_offered"');
  });
});

describe("request bodies (finding 3)", () => {
  const svix = {
    "svix-id": "msg_edge",
    "svix-timestamp": String(Math.floor(Date.now() / 1000)),
    "svix-signature": "v1,x",
  };

  it("refuses 10 MiB webhook and tunnel bodies from their Content-Length, without reading them", async () => {
    for (const path of ["/api/webhooks/clerk", "/monitoring"]) {
      const status = await postRaw(path, { ...client(), ...svix, "content-length": String(160 * 64 * 1024) }, 0);
      expect(status, path).toBe(413);
    }
  });

  it("refuses them while streaming when there is no Content-Length (chunked)", async () => {
    for (const path of ["/api/webhooks/clerk", "/monitoring"]) {
      const status = await postRaw(path, { ...client(), ...svix, "transfer-encoding": "chunked" }, 160);
      expect(status, path).toBe(413);
    }
  });

  it("holds no memory for 16 parallel 10 MiB webhook posts (the original probe)", async () => {
    const rssOf = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.process.pid}/status`, "utf8"))![1]) * 1024;
    const before = rssOf();
    const statuses = await Promise.all(
      Array.from({ length: 16 }, () =>
        postRaw("/api/webhooks/clerk", { ...client(), ...svix, "transfer-encoding": "chunked" }, 160),
      ),
    );
    expect(statuses.every((status) => status === 413)).toBe(true);
    // Each post is refused after at most 256 KiB; the probe used to keep ~185 MB.
    expect(rssOf() - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("refuses an over-size server-action or page body with 413 (not 500), and one of unknown length with 411", async () => {
    const form = { ...client(), "content-type": "multipart/form-data; boundary=x", origin: server.url };
    expect(await postRaw("/sign-in", { ...form, "content-length": String(4 * 64 * 1024) }, 0)).toBe(413);
    expect(await postRaw("/sign-in", { ...form, "transfer-encoding": "chunked" }, 0)).toBe(411);
  });
});

describe("client input never produces a 5xx (finding 5)", () => {
  it("answers TRACE and other methods the server cannot carry with 405", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${server.url}/`, { method: "TRACE" }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(405);
  });

  it("answers malformed percent-encoding in a dynamic segment with 400", async () => {
    for (const path of ["/projects/%E0%A4%A", "/api/v1/projects/%E0%A4%A", "/sign-in/%"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
    }
  });

  it("answers an impossible date in a pagination cursor with 400", async () => {
    const sql = adminSql(databaseUrl);
    const tenant = await createTenant(sql, { projects: [] });
    await sql.end();
    const cookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, SESSION_SECRET)}`;
    const cursor = Buffer.from(JSON.stringify({ t: "2026-02-30T10:00:00.000000Z", i: tenant.tenantId })).toString(
      "base64url",
    );
    const response = await fetch(`${server.url}/api/v1/projects?cursor=${cursor}`, {
      headers: { ...client(), cookie },
    });
    expect(response.status).toBe(400);
  });

  it("answers a NUL byte in a project name with 400, and stores nothing", async () => {
    const sql = adminSql(databaseUrl);
    const tenant = await createTenant(sql, { projects: [] });
    const cookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId: tenant.adminId, tenantId: tenant.tenantId }, SESSION_SECRET)}`;
    const response = await fetch(`${server.url}/api/v1/projects`, {
      method: "POST",
      headers: { ...client(), cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "Bad\u0000name", description: "x\u0000y" }),
    });
    expect(response.status).toBe(400);
    const [row] = await sql`select count(*)::int as n from projects where tenant_id = ${tenant.tenantId}`;
    expect(row!.n).toBe(0);
    await sql.end();
  });
});

describe("security headers (finding 7)", () => {
  it("give pages rendered per request a fresh CSP nonce that Next puts on its scripts", async () => {
    const first = await fetch(`${server.url}/sign-in`, { headers: client() });
    const second = await fetch(`${server.url}/sign-in`, { headers: client() });
    const nonceOf = (response: Response) =>
      /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonceOf(first)).toBeTruthy();
    expect(nonceOf(second)).not.toBe(nonceOf(first));
    expect(await first.text()).toContain(`nonce="${nonceOf(first)}"`);
    expect(first.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("give prerendered pages the same policy without a nonce, and every response COOP and CORP", async () => {
    const landing = await fetch(`${server.url}/`);
    expect(landing.headers.get("content-security-policy")).toMatch(/script-src 'self' 'unsafe-inline'/);
    expect(landing.headers.get("content-security-policy")).not.toContain("nonce-");
    expect(landing.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(landing.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(landing.headers.get("strict-transport-security")).toBeNull();
  });

  it("accept CSP violation reports, log only the directive and the blocked origin", async () => {
    const report = {
      "csp-report": {
        "document-uri": `${server.url}/projects?secret=abc`,
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js?token=123",
      },
    };
    const response = await fetch(`${server.url}/api/csp-report`, {
      method: "POST",
      headers: { ...client(), "content-type": "application/csp-report" },
      body: JSON.stringify(report),
    });
    expect(response.status).toBe(204);
    // The log line is written by the server's stdout stream, which the test reads asynchronously.
    await expect
      .poll(() => server.logs.some((entry) => entry.includes("content security policy violation")))
      .toBe(true);
    const line = server.logs.find((entry) => entry.includes("content security policy violation"));
    expect(line).toContain('"blocked":"https://evil.example"');
    expect(line).toContain('"page":"/projects"');
    expect(line).not.toContain("token=123");
    expect(line).not.toContain("secret=abc");
  });
});
