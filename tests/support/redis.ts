import { spawn } from "node:child_process";
import { freePort } from "../../scripts/embedded-postgres";
import { recordSkip } from "./requirements";

export interface RedisHandle {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/** A real, throwaway redis-server on a free loopback port (no persistence). */
export async function startRedis(port?: number): Promise<RedisHandle> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * For tests that need Redis: the URL, or a reason it is missing. Missing Redis fails in CI
 * (CI=true) and skips elsewhere.
 */
export function requireRedis(redisUrl: string | undefined): { url?: string; skipReason?: string } {
  if (redisUrl) return { url: redisUrl };
  const reason = "no Redis: set REDIS_URL or install redis-server";
  if (process.env.CI === "true") throw new Error(`${reason} (required in CI)`);
  recordSkip(reason);
  return { skipReason: reason };
}
