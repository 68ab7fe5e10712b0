import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { exists, readDockerfile, readFly, stageEnv } from "../../scripts/deploy-files.mjs";
import { freePort } from "../../scripts/embedded-postgres";
import { heapMegabytesFor, heapPercentageOf, memoryMegabytes } from "../../scripts/heap-size";

/**
 * A production server started as the image starts it (`NEXT_MANUAL_SIG_HANDLE=true node server.js`,
 * NODE_ENV=production, the image's heap limit), stdout and stderr to a file (a container's log
 * pipe, not a buffer in this process), on 127.0.0.1 only.
 */
export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on the ready path. */
  coldStartMs: number;
  logFile: string;
  /** Resident set size now, in MiB (VmRSS from /proc/<pid>/status). */
  rssMb: () => number;
  /** Undefined while the server runs; once it has exited, its exit code or signal and its log's tail. */
  exitReason: () => string | undefined;
  stop: () => Promise<void>;
}

export interface ServerSpec {
  name: string;
  /** The directory holding server.js. */
  dir: string;
  /** Answers 200 once the server can serve (its readiness). */
  readyPath: string;
  env: Record<string, string>;
  logDir: string;
  /** Options for node itself, e.g. --cpu-prof (which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 10;

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const logFile = path.join(spec.logDir, `${spec.name}-${port}.log`);
  const log = openSync(logFile, "a");
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...(spec.nodeArgs ?? []), "server.js"], {
    cwd: spec.dir,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_MANUAL_SIG_HANDLE: "true",
      HOSTNAME: "127.0.0.1",
      PORT: String(port),
      ...spec.env,
    },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const exitReason = () => {
    if (child.exitCode === null && child.signalCode === null) return undefined;
    const tail = readFileSync(logFile, "utf8").slice(-3000);
    return `${spec.name} exited (${child.exitCode ?? child.signalCode}) during the run:\n${tail}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(killer);
  };

  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${spec.name} exited with ${child.exitCode}:\n${readFileSync(logFile, "utf8").slice(-4000)}`);
    }
    const status = await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(2000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    if (status === 200) break;
    if (performance.now() - started > READY_TIMEOUT_MS) {
      await stop();
      throw new Error(`${spec.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${readFileSync(logFile, "utf8")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  const coldStartMs = performance.now() - started;

  return {
    name: spec.name,
    url,
    pid: child.pid!,
    coldStartMs,
    logFile,
    rssMb: () => {
      const reason = exitReason();
      if (reason) throw new Error(reason);
      return rssOf(child.pid!);
    },
    exitReason,
    stop,
  };
}

/** VmRSS of a process in MiB (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? NaN);
  // An exited process not yet reaped still has a status file, without VmRSS.
  if (!Number.isFinite(kilobytes)) throw new Error(`process ${pid} has no resident memory (it exited)`);
  return kilobytes / 1024;
}

/** The smallest VM the manifests plan for when fly.toml (which declares one) is gone: a 512 MB instance. */
const DEFAULT_VM_MB = 512;

/** The heap limit the image gives the VM fly.toml declares (NODE_OPTIONS in the Dockerfile), as a node flag. */
export function imageHeapLimit(): { flag: string; percentage: number; vmMb: number; heapMb: number } {
  const nodeOptions = stageEnv(readDockerfile(), "runner").NODE_OPTIONS;
  const percentage = heapPercentageOf(nodeOptions);
  if (percentage === undefined)
    throw new Error("the Dockerfile's runner stage sets no heap percentage in NODE_OPTIONS");
  const vmMb = exists("fly.toml") ? memoryMegabytes(readFly().vm[0].memory)! : DEFAULT_VM_MB;
  const heapMb = heapMegabytesFor(vmMb, percentage);
  // Node 24 (the image) computes this from the percentage; the flag below is the same limit on any Node.
  return { flag: `--max-old-space-size=${heapMb}`, percentage, vmMb, heapMb };
}
