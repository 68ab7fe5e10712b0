import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../support/command";

/**
 * The dependency audit CI runs (scripts/audit-dependencies.ts, `npm run audit:deps`): npm's own
 * audit of this lockfile against a local stand-in for the registry's advisory endpoint (the
 * registry this machine reaches has none, ADR 0062). The stand-in answers the bulk advisory query
 * with what the test sets, and serves packuments built from node_modules.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
type Advisories = Record<
  string,
  { id: number; title: string; url: string; severity: string; vulnerable_versions: string }[]
>;

let server: Server;
let registry: string;
let answer: { status: number; advisories: Advisories } = { status: 200, advisories: {} };
const queried: string[][] = [];

function packument(name: string) {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8"));
  return {
    name,
    "dist-tags": { latest: manifest.version },
    versions: { [manifest.version]: { name, version: manifest.version, dependencies: manifest.dependencies ?? {} } },
  };
}

const advisory = (id: number, severity: string, title: string) => ({
  id,
  title,
  url: `https://github.com/advisories/GHSA-test-${id}`,
  severity,
  vulnerable_versions: "<1000.0.0",
  cwe: [],
  cvss: { score: 0, vectorString: null },
});

const audit = (env: Record<string, string> = {}) =>
  runCommand(
    path.join(ROOT, "node_modules/.bin/tsx"),
    [path.join(ROOT, "scripts/audit-dependencies.ts"), `--registry=${registry}`],
    {
      env: { AUDIT_REQUIRED: "", ...env },
      timeoutMs: 120_000,
    },
  );

describe("dependency audit", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.method === "POST" && request.url?.endsWith("/-/npm/v1/security/advisories/bulk")) {
          let body = Buffer.concat(chunks);
          if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
          queried.push(Object.keys(JSON.parse(body.toString("utf8"))));
          response.writeHead(answer.status, { "content-type": "application/json" });
          return response.end(answer.status === 200 ? JSON.stringify(answer.advisories) : "");
        }
        try {
          const name = decodeURIComponent(request.url!.slice(1));
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument(name)));
        } catch {
          response.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("asks about production dependencies only, and passes when none has an advisory", async () => {
    answer = { status: 200, advisories: {} };
    queried.length = 0;
    const result = await audit();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("0 advisory finding(s), 0 high or critical");
    const names = queried.flat();
    expect(names).toContain("zod");
    expect(names).toContain("next");
    expect(names).not.toContain("vitest");
  });

  it("fails on a high advisory in a production dependency, naming it", async () => {
    answer = { status: 200, advisories: { zod: [advisory(1, "high", "Prototype pollution in zod (test)")] } };
    const result = await audit();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/audit:deps: HIGH zod \(direct\) .*: Prototype pollution in zod \(test\)/);
  });

  it("lists a moderate advisory without failing", async () => {
    answer = { status: 200, advisories: { zod: [advisory(2, "moderate", "Slow parse in zod (test)")] } };
    const result = await audit();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("MODERATE zod (direct)");
  });

  it("says NOT AUDITED when the registry has no advisory endpoint, and fails then only if AUDIT_REQUIRED=true", async () => {
    answer = { status: 405, advisories: {} };
    const lenient = await audit();
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain("NOT AUDITED: the registry answered HTTP 405 to the advisory query");
    const strict = await audit({ AUDIT_REQUIRED: "true" });
    expect(strict.code).toBe(1);
  });
});
