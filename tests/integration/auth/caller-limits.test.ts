import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startProjectsServer, type ApiResponse } from "../../support/projects-api";
import { statusOf, trickle, type TricklingRequest } from "../../support/slow-clients";
import { startRoundTripCounter, type RoundTripCounter } from "../../support/round-trips";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";

/**
 * Every signed-in caller of the tenant API is bounded (the tenant API's callerLimits in
 * src/routes.ts): reads per user and tenant, every request of a tenant against one quota, and a
 * revoked or unknown-user session is refused without a database transaction once it has been
 * refused once, then meets the anonymous limit. Small limits, so each flood is a few dozen requests.
 */

const READ_LIMIT = 8;
const TENANT_QUOTA = 12;
const ANONYMOUS_LIMIT = 6;
const CONCURRENT = 2;
const QUEUED = 3;
const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let counter: RoundTripCounter;
let server: StandaloneServer;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

beforeAll(async () => {
  // The server reaches PostgreSQL through a relay that counts round trips.
  counter = await startRoundTripCounter(databaseUrl);
  ({ server, cookieFor } = await startProjectsServer({
    dir: inject("standaloneDir"),
    databaseUrl: counter.url,
    env: {
      RATE_LIMIT_API_READ: `${READ_LIMIT}/60`,
      RATE_LIMIT_API_TENANT: `${TENANT_QUOTA}/60`,
      RATE_LIMIT_API_ANONYMOUS: `${ANONYMOUS_LIMIT}/60`,
      TRUSTED_PROXY_HOPS: "1",
      MAX_CONCURRENT_PER_CALLER: String(CONCURRENT),
      MAX_QUEUED_PER_CALLER: String(QUEUED),
    },
  }));
});

afterAll(async () => {
  await server?.stop();
  await counter?.stop();
  await admin.end();
});

/** `count` requests one after another, as one client's loop sends them (from `address`, through the one trusted proxy). */
async function flood(count: number, cookie: string, address = "198.51.100.1"): Promise<ApiResponse[]> {
  const answers: ApiResponse[] = [];
  for (let sent = 0; sent < count; sent++) {
    answers.push(await call(server.url, "/api/v1/projects", { cookie, headers: { "x-forwarded-for": address } }));
  }
  return answers;
}

const statusesOf = (answers: ApiResponse[]) => answers.map((answer) => answer.status);

function expectRateLimited(answer: ApiResponse, policy: string): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/Try again in \d+/) } });
  expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(answer.headers.get("ratelimit-policy")).toContain(`"${policy}"`);
}

describe("signed-in reads", () => {
  it(`are limited per user and tenant: read ${READ_LIMIT + 1} answers 429 with Retry-After, another user is unaffected`, async () => {
    const tenant = await createTenant(admin, { projects: ["Alpha"] });
    const answers = await flood(READ_LIMIT + 2, await cookieFor(tenant.adminId, tenant.tenantId));
    expect(statusesOf(answers)).toEqual([...Array<number>(READ_LIMIT).fill(200), 429, 429]);
    expectRateLimited(answers[READ_LIMIT]!, "api-read");
    expect(answers[0]!.headers.get("ratelimit")).toContain(`"api-read";r=${READ_LIMIT - 1}`);
    // The first refusal comes from the route (through Next: it carries the route's Server-Timing);
    // the pipeline remembers it and refuses the same caller again before Next (no Server-Timing).
    expect(answers[READ_LIMIT]!.headers.get("server-timing")).toBeTruthy();
    expectRateLimited(answers[READ_LIMIT + 1]!, "api-read");
    expect(answers[READ_LIMIT + 1]!.headers.get("server-timing")).toBeNull();

    const colleague = await call(server.url, "/api/v1/projects", {
      cookie: await cookieFor(tenant.memberId, tenant.tenantId),
    });
    expect(colleague.status).toBe(200);
  });

  it(`count against one quota per tenant (${TENANT_QUOTA}): past it every member meets 429, other tenants do not`, async () => {
    const tenant = await createTenant(admin, { projects: ["Alpha"] });
    const first = await flood(READ_LIMIT, await cookieFor(tenant.adminId, tenant.tenantId));
    expect(statusesOf(first).every((status) => status === 200)).toBe(true);
    const second = await flood(READ_LIMIT, await cookieFor(tenant.memberId, tenant.tenantId));
    const allowed = TENANT_QUOTA - READ_LIMIT;
    expect(statusesOf(second)).toEqual([
      ...Array<number>(allowed).fill(200),
      ...Array<number>(READ_LIMIT - allowed).fill(429),
    ]);
    expectRateLimited(second[allowed]!, "api-tenant");

    const other = await createTenant(admin, { projects: ["Alpha"] });
    expect(
      (await call(server.url, "/api/v1/projects", { cookie: await cookieFor(other.adminId, other.tenantId) })).status,
    ).toBe(200);
  });
});

describe("refused sessions", () => {
  it.each([
    ["a revoked session", "revoked"],
    ["a user unknown to the database", "unknown"],
  ])(
    "%s: refused once by the database, then without a database round trip, and 429 past the anonymous limit",
    async (_label, kind) => {
      // Each case from its own address: the anonymous limit counts per address.
      const address = kind === "revoked" ? "203.0.113.1" : "203.0.113.2";
      const tenant = await createTenant(admin, { projects: [] });
      const userId = kind === "unknown" ? randomUUID() : tenant.memberId;
      const cookie = await cookieFor(userId, tenant.tenantId);
      if (kind === "revoked") {
        // As sign-out records it (tests/integration/auth/sign-out.test.ts signs out through the form).
        const sessionId = JSON.parse(Buffer.from(cookie.split(".")[1]!, "base64url").toString()).jti as string;
        await admin`insert into revoked_sessions (id, user_id, expires_at)
          values (${sessionId}, ${userId}, now() + interval '1 day')`;
      }
      expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(401);

      counter.reset();
      const answers = await flood(ANONYMOUS_LIMIT + 2, cookie, address);
      expect(counter.roundTrips()).toBe(0);
      expect(statusesOf(answers)).toEqual([...Array<number>(ANONYMOUS_LIMIT).fill(401), 429, 429]);
      expectRateLimited(answers[ANONYMOUS_LIMIT]!, "api-anonymous");
    },
  );
});

describe("one caller's requests at once", () => {
  it(`run ${CONCURRENT} at a time, ${QUEUED} more wait their turn, more are refused 429; other callers are served`, async () => {
    const tenant = await createTenant(admin, { projects: ["Alpha"] });
    const cookie = await cookieFor(tenant.adminId, tenant.tenantId);
    // Creates whose bodies never finish arriving: each holds its turn (or its place in the queue).
    const body = JSON.stringify({ name: "Held", description: "x".repeat(100) });
    const held: TricklingRequest[] = [];
    try {
      for (let index = 0; index < CONCURRENT + QUEUED + 1; index++) {
        held.push(
          await trickle({
            url: server.url,
            localAddress: "127.0.0.1",
            head: `POST /api/v1/projects HTTP/1.1\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`,
            start: body.slice(0, 10),
            byteEveryMs: 60_000,
          }),
        );
      }
      // The one that found every turn and queue place taken is answered at once (and closed).
      const refused = await Promise.race(held.map((request) => request.closed));
      expect(statusOf(refused.answer)).toBe(429);
      expect(refused.answer).toContain('"code":"too_many_in_flight"');
      expect(refused.answer).toMatch(/retry-after: 1/i);

      const other = await createTenant(admin, { projects: ["Beta"] });
      const served = await call(server.url, "/api/v1/projects", {
        cookie: await cookieFor(other.adminId, other.tenantId),
      });
      expect(served.status).toBe(200);
    } finally {
      for (const request of held) request.socket.destroy();
    }
    // Turns end with their connections (the server sees the closes a moment later): the caller is served again.
    let again: ApiResponse | undefined;
    for (let attempt = 0; attempt < 10 && again?.status !== 200; attempt++) {
      again = await call(server.url, "/api/v1/projects", { cookie });
    }
    expect(again?.status).toBe(200);
  });
});
