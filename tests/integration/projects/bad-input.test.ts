import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, startProjectsServer, type ApiResponse } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

// Every case: the documented status, the JSON error shape, and never a 500 (docs/database.md).

const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let tenant: TenantFixture;
let cookie: string;
let projectPath: string;

beforeAll(async () => {
  const started = await startProjectsServer({ dir: inject("standaloneDir"), databaseUrl });
  server = started.server;
  tenant = await createTenant(admin, { projects: ["Existing"] });
  cookie = await started.cookieFor(tenant.adminId, tenant.tenantId);
  projectPath = `/api/v1/projects/${tenant.projectIds[0]}`;
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

function expectError(response: ApiResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(response.body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String) }),
  });
}

async function projectCount(): Promise<number> {
  const [row] = await admin`select count(*)::int as n from projects where tenant_id = ${tenant.tenantId}`;
  return row!.n;
}

describe("bad input to /api/v1/projects", () => {
  it("rejects malformed JSON with 400", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      headers: { "content-type": "application/json" },
      body: '{"name": "unterminated',
    });
    expectError(response, 400, "invalid_input");
  });

  it("rejects a JSON body that is not an object with 400", async () => {
    for (const json of [[], "a string", 42, null]) {
      const response = await call(server.url, "/api/v1/projects", { method: "POST", cookie, json });
      expectError(response, 400, "invalid_input");
    }
  });

  it("rejects wrong types with 400 and names the field", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: 123, status: true },
    });
    expectError(response, 400, "invalid_input");
    const paths = (response.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "status"]));
  });

  it("rejects an unknown status value with 400", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: "Fine", status: "deleted" },
    });
    expectError(response, 400, "invalid_input");
  });

  it("rejects a name longer than 100 characters with 400", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: "x".repeat(101) },
    });
    expectError(response, 400, "invalid_input");
  });

  it("rejects a description longer than 2000 characters with 400", async () => {
    const response = await call(server.url, projectPath, {
      method: "PATCH",
      cookie,
      json: { description: "y".repeat(2001) },
    });
    expectError(response, 400, "invalid_input");
  });

  it("rejects an empty or blank name with 400", async () => {
    for (const name of ["", "   "]) {
      const response = await call(server.url, "/api/v1/projects", { method: "POST", cookie, json: { name } });
      expectError(response, 400, "invalid_input");
    }
  });

  it("rejects unknown fields with 400", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: "Fine", owner: "someone" },
    });
    expectError(response, 400, "invalid_input");
    expect(await projectCount()).toBe(1);
  });

  it("rejects an empty PATCH with 400", async () => {
    const response = await call(server.url, projectPath, { method: "PATCH", cookie, json: {} });
    expectError(response, 400, "invalid_input");
  });

  it("rejects an invalid id in the path with 400", async () => {
    for (const id of ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%27%20or%201%3D1"]) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const response = await call(server.url, `/api/v1/projects/${id}`, {
          method,
          cookie,
          ...(method === "PATCH" ? { json: { name: "x" } } : {}),
        });
        expectError(response, 400, "invalid_input");
      }
    }
  });

  it("returns 404 for a well-formed id that names no project", async () => {
    const response = await call(server.url, "/api/v1/projects/6f1c1c1e-2b7a-4c55-9d0e-3f1f1f1f1f1f", { cookie });
    expectError(response, 404, "not_found");
  });

  it("rejects a non-JSON content type with 415", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ name: "Plain" }),
    });
    expectError(response, 415, "unsupported_media_type");
  });

  it("rejects a form-encoded body with 415", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Form",
    });
    expectError(response, 415, "unsupported_media_type");
  });

  it("rejects a body larger than 16 KiB with 413", async () => {
    const response = await call(server.url, "/api/v1/projects", {
      method: "POST",
      cookie,
      json: { name: "Big", description: "z".repeat(20_000) },
    });
    expectError(response, 413, "payload_too_large");
  });

  it("rejects a bad limit with 400", async () => {
    for (const limit of ["0", "101", "abc", "1.5", "-1"]) {
      const response = await call(server.url, `/api/v1/projects?limit=${limit}`, { cookie });
      expectError(response, 400, "invalid_input");
    }
  });

  it("rejects a tampered or foreign cursor with 400", async () => {
    const forged = Buffer.from(JSON.stringify({ t: "yesterday", i: "x" })).toString("base64url");
    for (const cursor of ["garbage!", forged, "eyJ0IjoxfQ", "A".repeat(500)]) {
      const response = await call(server.url, `/api/v1/projects?cursor=${encodeURIComponent(cursor)}`, { cookie });
      expectError(response, 400, "invalid_input");
    }
  });

  it("rejects unknown query parameters with 400", async () => {
    const response = await call(server.url, "/api/v1/projects?tenant_id=someone-else", { cookie });
    expectError(response, 400, "invalid_input");
  });

  it("never answers 500 to any of a batch of odd requests", async () => {
    const requests: [string, RequestInit][] = [
      ["/api/v1/projects", { method: "POST", headers: { "content-type": "application/json" }, body: "" }],
      ["/api/v1/projects", { method: "POST", headers: { "content-type": "application/json" }, body: "\u0000" }],
      ["/api/v1/projects", { method: "POST" }],
      [
        "/api/v1/projects",
        { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: '{"name":"\\ud800"}' },
      ],
      [projectPath, { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"name": null}' }],
      ["/api/v1/projects?limit=99999999999999999999", {}],
      ["/api/v1/projects?cursor=", {}],
    ];
    for (const [path, init] of requests) {
      const response = await call(server.url, path, { ...init, cookie });
      expect(response.status, `${init.method ?? "GET"} ${path} ${String(init.body)}`).toBeLessThan(500);
      expect(response.status).toBeGreaterThanOrEqual(200);
    }
  });
});
