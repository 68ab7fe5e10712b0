import { spawn } from "node:child_process";
import { freePort } from "../../scripts/embedded-postgres";

/**
 * A real Pushgateway (Debian's prometheus-pushgateway) on a free loopback port, without
 * persistence, for tests of what batch jobs push (the backup scheduler's runs). Stopped by PID.
 */
export interface PushgatewayHandle {
  /** host:port, for a Prometheus scrape config. */
  address: string;
  url: string;
  stop: () => Promise<void>;
}

export async function startPushgateway(): Promise<PushgatewayHandle> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const child = spawn("prometheus-pushgateway", [`--web.listen-address=${address}`, "--log.level=warn"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(chunk.toString());
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pushgateway exited with ${child.exitCode}:\n${logs.join("")}`);
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pushgateway did not become ready:\n${logs.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { address, url, stop };
}
