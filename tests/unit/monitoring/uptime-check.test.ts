import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UptimeRecord } from "../../../scripts/uptime-check";
import { runCommand } from "../../support/command";
import { missingRequirement } from "../../support/requirements";

/**
 * The uptime workflow's check (scripts/uptime-check.ts, run as .github/workflows/uptime.yml runs
 * it) against local servers standing in for a deployment: plain HTTP ones that answer well, badly
 * or slowly, and HTTPS ones with short-lived self-signed certificates made here by openssl.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
let dir: string;
const servers: Server[] = [];

interface Behaviour {
  health?: { status: number; body: string };
  signInDelayMs?: number;
}

const handler =
  (behaviour: Behaviour = {}): RequestListener =>
  (request, response) => {
    const send = (status: number, body: string, type = "text/html") =>
      response.writeHead(status, { "content-type": type }).end(body);
    if (request.url === "/") return send(200, "<html>Slipway</html>");
    if (request.url === "/sign-in") {
      setTimeout(() => send(200, "<html>Sign in</html>"), behaviour.signInDelayMs ?? 0);
      return;
    }
    if (request.url === "/api/health") {
      const health = behaviour.health ?? { status: 200, body: '{"status":"healthy"}' };
      return send(health.status, health.body, "application/json");
    }
    send(404, "not found");
  };

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const httpDeployment = async (behaviour?: Behaviour) =>
  `http://127.0.0.1:${await listen(createHttpServer(handler(behaviour)))}`;

/** A self-signed certificate for 127.0.0.1, valid for `days` from now. */
async function certificate(days: number): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = path.join(dir, `key-${days}.pem`);
  const certFile = path.join(dir, `cert-${days}.pem`);
  const result = await runCommand("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-days",
    String(days),
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  if (result.code !== 0) throw new Error(result.stderr);
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

const httpsDeployment = async (days: number) => {
  const { key, cert, certFile } = await certificate(days);
  const port = await listen(createHttpsServer({ key, cert }, handler()));
  return { url: `https://127.0.0.1:${port}`, certFile };
};

async function check(env: Record<string, string>) {
  const record = path.join(dir, `record-${Math.random().toString(16).slice(2)}.jsonl`);
  const result = await runCommand(
    path.join(ROOT, "node_modules/.bin/tsx"),
    [path.join(ROOT, "scripts/uptime-check.ts"), "--record", record],
    { env: { GITHUB_ACTIONS: "", NODE_EXTRA_CA_CERTS: "", ...env } },
  );
  let lines: unknown[] = [];
  try {
    lines = readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    // no record written
  }
  return { ...result, output: result.stdout + result.stderr, records: lines as UptimeRecord[] };
}

describe.skipIf(missingRequirement("openssl", "the uptime check's TLS expiry"))("uptime check", () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "slipway-uptime-check-"));
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes a working deployment and records the landing page, sign-in and API health", async () => {
    const baseUrl = await httpDeployment();
    const result = await check({ BASE_URL: baseUrl });
    expect(result.code, result.output).toBe(0);
    expect(result.records).toHaveLength(1);
    const [record] = result.records;
    expect(record).toMatchObject({ version: 1, baseUrl, up: true, slowMs: 2000, tls: null });
    expect(Date.parse(record!.time)).not.toBeNaN();
    expect(record!.probes.map((probe) => [probe.name, probe.status, probe.ok])).toEqual([
      ["landing", 200, true],
      ["sign-in", 200, true],
      ["api-health", 200, true],
    ]);
  });

  it("fails when the health report says unhealthy, naming the probe", async () => {
    const baseUrl = await httpDeployment({ health: { status: 503, body: '{"status":"unhealthy"}' } });
    const result = await check({ BASE_URL: baseUrl, GITHUB_ACTIONS: "true" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("::error::uptime api-health /api/health: FAILED (HTTP 503)");
    expect(result.records[0]).toMatchObject({ up: false });
  });

  it("fails when nothing answers", async () => {
    const server = createHttpServer();
    const port = await listen(server);
    server.close();
    const result = await check({ BASE_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.records[0]!.probes[0]).toMatchObject({ name: "landing", ok: false, status: null });
  });

  it("warns about a slow response without failing", async () => {
    const baseUrl = await httpDeployment({ signInDelayMs: 300 });
    const result = await check({ BASE_URL: baseUrl, UPTIME_SLOW_MS: "200", GITHUB_ACTIONS: "true" });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/::warning::slow response: sign-in \/sign-in: ok, 200 in \d+ ms \(over 200 ms\)/);
    expect(result.records[0]!.probes[1]).toMatchObject({ name: "sign-in", slow: true, ok: true });
  });

  it("passes a TLS certificate with more than 14 days left and records its expiry", async () => {
    const { url, certFile } = await httpsDeployment(30);
    const result = await check({ BASE_URL: url, NODE_EXTRA_CA_CERTS: certFile });
    expect(result.code, result.output).toBe(0);
    expect(result.records[0]!.tls).toMatchObject({ ok: true, trusted: true, daysLeft: 29 });
  });

  it("alerts 14 days before the certificate expires", async () => {
    const { url, certFile } = await httpsDeployment(10);
    const result = await check({ BASE_URL: url, NODE_EXTRA_CA_CERTS: certFile, GITHUB_ACTIONS: "true" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/::error::uptime tls: FAILED \(certificate expires in 9 days \(.+\), within 14\)/);
    expect(result.records[0]).toMatchObject({ up: true, tls: { ok: false, daysLeft: 9 } });
  });

  it("fails on a certificate the client does not trust", async () => {
    const { url } = await httpsDeployment(30);
    const result = await check({ BASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.records[0]).toMatchObject({ up: false, tls: { ok: false, trusted: false } });
  });

  it("refuses an invalid BASE_URL or threshold with exit code 2", async () => {
    expect((await check({ BASE_URL: "not a url" })).code).toBe(2);
    const invalid = await check({ BASE_URL: "http://127.0.0.1:1", UPTIME_SLOW_MS: "fast" });
    expect(invalid.code).toBe(2);
    expect(invalid.output).toContain("UPTIME_SLOW_MS must be a positive whole number");
  });
});
