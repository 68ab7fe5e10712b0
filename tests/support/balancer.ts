import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/embedded-postgres";

/** The repository's Caddyfile: the same file compose.production.yaml mounts. */
export const CADDYFILE = path.resolve(import.meta.dirname, "../../ops/caddy/Caddyfile");

export interface Balancer {
  /** http://127.0.0.1:PORT: the site, plain HTTP. */
  url: string;
  port: number;
  /** The admin API (reverse_proxy upstream counters: GET /reverse_proxy/upstreams). */
  adminUrl: string;
  /** Every line Caddy printed (JSON logs), for "the health checker saw it go" assertions. */
  logs: string[];
  /** The upstream set last set through setUpstreams (host:port). */
  upstreams: () => string[];
  /** Caddy's SLIPWAY_* environment: what a `caddy reload` run by hand (a runbook) needs besides PATH. */
  env: Record<string, string>;
  /**
   * Blue/green switch, the way production does it (scripts/deploy-compose): rewrite the upstream
   * file, then `caddy reload` (graceful: in-flight requests finish on the old config). Resolves once
   * Caddy runs the new config.
   */
  setUpstreams: (hostPorts: string[]) => Promise<void>;
  stop: () => Promise<void>;
}

/** The line the upstream file holds: `to a:1 b:2`. */
export function upstreamsLine(hostPorts: string[]): string {
  if (hostPorts.length === 0) throw new Error("a balancer needs at least one upstream");
  for (const hostPort of hostPorts) {
    if (!/^[\w.-]+:\d+$/.test(hostPort)) throw new Error(`not a host:port upstream: ${hostPort}`);
  }
  return `to ${hostPorts.join(" ")}\n`;
}

/**
 * Caddy from Debian (`caddy` on PATH) running ops/caddy/Caddyfile on 127.0.0.1, plain HTTP, with its
 * state in a throwaway directory. Stopped by PID in stop().
 */
export async function startBalancer(initialUpstreams: string[]): Promise<Balancer> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const dir = path.join(tmpdir(), `slipway-caddy-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  const upstreamsFile = path.join(dir, "upstreams.caddy");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, "config"),
    XDG_DATA_HOME: path.join(dir, "data"),
    SLIPWAY_SITE: `http://127.0.0.1:${port}`,
    SLIPWAY_CADDY_ADMIN: `127.0.0.1:${adminPort}`,
    SLIPWAY_UPSTREAMS_PATH: upstreamsFile,
  };
  let live = [...initialUpstreams];
  const writeUpstreams = (hostPorts: string[]) => {
    const temporary = `${upstreamsFile}.${process.pid}.tmp`;
    writeFileSync(temporary, upstreamsLine(hostPorts));
    renameSync(temporary, upstreamsFile);
  };
  writeUpstreams(live);

  const child: ChildProcess = spawn("caddy", ["run", "--config", CADDYFILE, "--adapter", "caddyfile"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}:\n${logs.join("\n")}`);
    try {
      const response = await fetch(`${adminUrl}/config/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`caddy did not start:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    adminUrl,
    logs,
    upstreams: () => [...live],
    env: Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith("SLIPWAY_"))),
    setUpstreams: async (hostPorts) => {
      writeUpstreams(hostPorts);
      // Asynchronous: a load generator in this process keeps running during the reload.
      const failure = await new Promise<string | undefined>((resolve) =>
        execFile(
          "caddy",
          ["reload", "--config", CADDYFILE, "--adapter", "caddyfile", "--address", `127.0.0.1:${adminPort}`],
          { env: env as NodeJS.ProcessEnv, timeout: 30_000 },
          (error, _stdout, stderr) => resolve(error ? `${error.message}\n${stderr}` : undefined),
        ),
      );
      if (failure) {
        writeUpstreams(live);
        throw new Error(`caddy reload failed: ${failure}`);
      }
      live = [...hostPorts];
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
