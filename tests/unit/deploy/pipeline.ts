import { spawn } from "node:child_process";
import path from "node:path";
import { runCommand } from "../../../scripts/deploy-platform";
import type { Env } from "../../../scripts/platforms/config";
import type { TimelineEvent } from "../../support/platform-stand-in";

/**
 * Driving scripts/deploy-platform.ts against a platform stand-in: in process for speed (the same
 * function the command line runs, with an explicit environment), and once per platform as the
 * program itself.
 */

const repo = path.resolve(import.meta.dirname, "../../..");

export const PREVIOUS = (repository: string) => `${repository}:${"a".repeat(40)}`;
export const NEXT = (repository: string) => `${repository}:${"b".repeat(40)}`;

/** Fast polling and a short gate: the stand-ins answer at once. */
export const QUICK: Env = {
  DEPLOY_POLL_INTERVAL_MS: "10",
  DEPLOY_TIMEOUT_SECONDS: "30",
  GATE_INTERVAL_MS: "20",
  GATE_TIMEOUT_SECONDS: "2",
};

export interface Run {
  code: number;
  lines: string[];
  /** The release report (the command's last JSON line), when it printed one. */
  report?: {
    ok: boolean;
    failed: string | null;
    previous: string | null;
    rolledBack: boolean;
    rollbackOk: boolean | null;
    verifyProblems: string[];
  };
}

export async function run(args: string[], env: Env): Promise<Run> {
  const lines: string[] = [];
  const code = await runCommand(args, env, (line) => lines.push(line));
  const json = lines.filter((line) => line.startsWith("{")).at(-1);
  return { code, lines, report: json ? JSON.parse(json) : undefined };
}

/**
 * The program itself, `npx tsx scripts/deploy-platform.ts ARGS`, with `env` added to this
 * environment (tests running it take a minute's timeout: tsx compiles on a busy machine).
 */
export function runProgram(args: string[], env: Env): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(repo, "node_modules/tsx/dist/cli.mjs"), "scripts/deploy-platform.ts", ...args],
      {
        cwd: repo,
        env: { ...process.env, ...env } as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** The timeline as "kind where image" lines, for order assertions. */
export const story = (timeline: TimelineEvent[]) =>
  timeline.map((event) => `${event.kind} ${event.where} ${event.image}`);
