import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../../../scripts/embedded-postgres";

/** Runs `node server.js` as the container does and collects how it ends. */
async function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // A real free port: Next treats PORT=0 as unset and would try 3000.
  const port = String(await freePort());
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["server.js"], {
      cwd: inject("standaloneDir"),
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: port, HOSTNAME: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const planted = "postgresql://svc:PlantedPassw0rd@db.example.internal/slipway";

describe("node server.js with invalid configuration", () => {
  it("exits non-zero and names every bad variable on one screen", async () => {
    const { code, output } = await runServer({
      DATABASE_URL: planted.replace("postgresql", "mysql"),
      LOG_LEVEL: "chatty",
      DATABASE_POOL_MAX: "many",
      AUTH_MODE: "local",
      SESSION_SECRET: "too-short",
    });
    expect(code).not.toBe(0);
    expect(output).toContain("Invalid configuration");
    for (const name of ["DATABASE_URL", "LOG_LEVEL", "DATABASE_POOL_MAX", "SESSION_SECRET"]) {
      expect(output).toMatch(new RegExp(`- ${name}: `));
    }
    expect(output.split("\n").length).toBeLessThan(25);
  });

  it("never prints a value or a stack trace", async () => {
    const { output } = await runServer({
      DATABASE_URL: planted.replace("postgresql", "mysql"),
      SESSION_SECRET: "too-short-secret",
    });
    expect(output).not.toContain("PlantedPassw0rd");
    expect(output).not.toContain("too-short-secret");
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it("reports a *_FILE variable pointing at a missing file", async () => {
    const { code, output } = await runServer({
      DATABASE_URL_FILE: "/run/secrets/does-not-exist",
      AUTH_MODE: "local",
      SESSION_SECRET: "x".repeat(40),
    });
    expect(code).not.toBe(0);
    expect(output).toContain("- DATABASE_URL_FILE: file /run/secrets/does-not-exist does not exist");
  });

  it("reports a *_FILE variable pointing at something that cannot be read", async () => {
    // A directory cannot be read as a file, even by root (permission bits would not stop root).
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-secret-"));
    const { code, output } = await runServer({
      DATABASE_URL: "postgres://u:p@127.0.0.1:1/db",
      AUTH_MODE: "local",
      SESSION_SECRET_FILE: dir,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    expect(output).toContain(`- SESSION_SECRET_FILE: file ${dir} cannot be read`);
  });

  it("refuses production without Clerk keys unless AUTH_MODE=local", async () => {
    const { code, output } = await runServer({ DATABASE_URL: "postgres://u:p@127.0.0.1:1/db" });
    expect(code).not.toBe(0);
    expect(output).toContain("- AUTH_MODE: production needs Clerk");
  });
});
