import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";

/**
 * Writes racing each other and a database that cannot answer in time, through the production
 * server: conflicts come back as 409 (retried first, inside withTenant), a statement timeout as
 * 503 with Retry-After, and nothing as a 500 (src/lib/errors/postgres.ts, ADR 0017).
 */

const ROUNDS = 150;
const STATEMENT_TIMEOUT_MS = 2000;
const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

beforeAll(async () => {
  ({ server, cookieFor } = await startProjectsServer({
    dir: inject("standaloneDir"),
    databaseUrl,
    env: {
      // 450 writes by one user: the write limit is not what this tests.
      RATE_LIMIT_API_WRITE: "100000/60",
      RATE_LIMIT_API_TENANT: "100000/60",
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    },
  }));
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

describe("concurrent renames", () => {
  it(`rotate three names A→B→C→A with three parallel PATCHes, ${ROUNDS} rounds: no 5xx`, async () => {
    const names = ["A", "B", "C"];
    const tenant = await createTenant(admin, { projects: names });
    const cookie = await cookieFor(tenant.adminId, tenant.tenantId);
    const statuses = new Map<number, number>();
    for (let round = 1; round <= ROUNDS; round++) {
      const answers = await Promise.all(
        tenant.projectIds.map((id, index) =>
          call(server.url, `/api/v1/projects/${id}`, {
            method: "PATCH",
            cookie,
            json: { name: names[(index + round) % names.length] },
          }),
        ),
      );
      for (const answer of answers) {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 409) expect(["conflict", "concurrent_change"]).toContain(answer.body.error.code);
      }
    }
    // Every answer is a rename or a conflict: the deadlocks these make (1 in 450 answered 500
    // before) are run again, and when they persist answered 409 with Retry-After.
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect([...statuses.keys()].every((status) => status === 200 || status === 409)).toBe(true);
    expect(statuses.get(200)).toBeGreaterThan(0);
    const lines = server.logs.filter((line) => /"level":"error"|"level":50/.test(line));
    expect(lines).toEqual([]);
  });
});

describe("a database that cannot answer in time", () => {
  it("answers a write stuck behind a lock past the statement timeout with 503 and Retry-After", async () => {
    const tenant = await createTenant(admin, { projects: ["Locked"] });
    const id = tenant.projectIds[0]!;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = admin.begin(async (tx) => {
      await tx`select 1 from projects where id = ${id} for update`;
      locked();
      await released;
    });
    await isLocked;
    const answer = await call(server.url, `/api/v1/projects/${id}`, {
      method: "PATCH",
      cookie: await cookieFor(tenant.adminId, tenant.tenantId),
      json: { name: "Renamed" },
    });
    release();
    await holder;
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe("database_timeout");
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    const [row] = await admin`select name from projects where id = ${id}`;
    expect(row!.name).toBe("Locked");
  });
});
