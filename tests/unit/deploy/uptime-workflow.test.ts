import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWorkflows } from "../../../scripts/deploy-files.mjs";
import { runCommand } from "../../support/command";
import { missingRequirement } from "../../support/requirements";

/**
 * The uptime workflow's verdict step, run with bash as GitHub runs it, against a stand-in `gh`
 * (GitHub's API is out of reach here) that answers from the scenario and records every call, and
 * a local HTTP server as the webhook.
 */

const workflow = readWorkflows()[".github/workflows/uptime.yml"]!.data;
const verdictScript: string = workflow.jobs.verdict.steps.find((step: { run?: string }) => step.run).run;

const FAKE_GH = `#!/usr/bin/env bash
args="$*"
printf '%s\n' "\${args//$'\\n'/ }" >> "$GH_CALLS"
case "$1 $2" in
  "run list") echo "$FAKE_PREVIOUS_RUN" ;;
  "run view") echo "$FAKE_PREVIOUS_PROBE" ;;
  "issue list") echo "$FAKE_OPEN_ISSUE" ;;
  "issue create") echo "https://github.com/acme/app/issues/7" ;;
esac
`;

let dir: string;
let webhook: Server;
let webhookUrl: string;
const posts: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "slipway-uptime-"));
  writeFileSync(path.join(dir, "gh"), FAKE_GH);
  chmodSync(path.join(dir, "gh"), 0o755);
  webhook = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      posts.push(JSON.parse(body));
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => webhook.close(resolve));
});

interface Scenario {
  current: "success" | "failure";
  previousProbe: "success" | "failure" | "";
  openIssue?: string;
}

async function verdict(scenario: Scenario): Promise<{ calls: string[]; output: string; posts: unknown[] }> {
  const calls = path.join(dir, `calls-${Math.random().toString(16).slice(2)}`);
  writeFileSync(calls, "");
  posts.length = 0;
  // spawnSync would block the webhook server on this same event loop: run bash asynchronously.
  const env: Record<string, string> = {
    PATH: `${dir}:${process.env.PATH}`,
    GH_CALLS: calls,
    FAKE_PREVIOUS_RUN: scenario.previousProbe ? "1234" : "",
    FAKE_PREVIOUS_PROBE: scenario.previousProbe,
    FAKE_OPEN_ISSUE: scenario.openIssue ?? "",
    BASE_URL: "https://app.example.com",
    CURRENT: scenario.current,
    RUN_ID: "5678",
    RUN_URL: "https://github.com/acme/app/actions/runs/5678",
    WEBHOOK_URL: webhookUrl,
  };
  const child = spawn("bash", ["-e", "-c", verdictScript], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code, output).toBe(0);
  return { calls: readFileSync(calls, "utf8").split("\n").filter(Boolean), output, posts: [...posts] };
}

const mutations = (calls: string[]) => calls.filter((call) => !/^(run list|run view|issue list)/.test(call));

describe.skipIf(missingRequirement("jq", "the uptime workflow's verdict script"))("uptime workflow verdict", () => {
  it("does nothing on the first failed check", async () => {
    const { calls, output } = await verdict({ current: "failure", previousProbe: "success" });
    expect(mutations(calls)).toEqual([]);
    expect(output).toContain("first failed check");
  });

  it("opens one labelled issue and notifies the webhook on the second failure in a row", async () => {
    const { calls, posts } = await verdict({ current: "failure", previousProbe: "failure" });
    const changes = mutations(calls);
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatch(/^label create uptime /);
    expect(changes[1]).toMatch(/^issue create --label uptime --title Uptime: https:\/\/app\.example\.com is failing/);
    expect(posts).toEqual([expect.objectContaining({ state: "down", url: "https://app.example.com" })]);
  });

  it("updates the open issue instead of opening another while it keeps failing", async () => {
    const { calls, posts } = await verdict({ current: "failure", previousProbe: "failure", openIssue: "7" });
    expect(mutations(calls)).toEqual([expect.stringMatching(/^issue edit 7 --body .*runs\/5678/)]);
    expect(posts).toEqual([]);
  });

  it("closes the issue with a comment and notifies the webhook when a check passes", async () => {
    const { calls, posts } = await verdict({ current: "success", previousProbe: "failure", openIssue: "7" });
    expect(mutations(calls)).toEqual([expect.stringMatching(/^issue close 7 --comment Recovered/)]);
    expect(posts).toEqual([expect.objectContaining({ state: "up" })]);
  });

  it("does nothing while everything passes", async () => {
    const { calls, posts } = await verdict({ current: "success", previousProbe: "success" });
    expect(mutations(calls)).toEqual([]);
    expect(posts).toEqual([]);
  });

  it("treats the very first run (no previous run) like a first failure", async () => {
    const { calls } = await verdict({ current: "failure", previousProbe: "" });
    expect(mutations(calls)).toEqual([]);
  });

  it("probes with scripts/uptime-check.ts against the configured URL, every 5 minutes, recording each check", () => {
    expect(workflow.on.schedule).toEqual([{ cron: "*/5 * * * *" }]);
    const probe = workflow.jobs.probe;
    expect(probe.env.BASE_URL).toBe("${{ vars.UPTIME_BASE_URL }}");
    expect(probe.steps.map((step: { run?: string }) => step.run).join("\n")).toContain(
      'npx tsx scripts/uptime-check.ts --record "$RUNNER_TEMP/uptime.jsonl"',
    );
    expect(recordStep.if).toBe("always()");
  });
});

const recordStep = workflow.jobs.probe.steps.find((step: { name?: string }) => step.name?.includes("uptime-record"));

describe.skipIf(missingRequirement("jq", "the uptime workflow's record step"))(
  "uptime workflow record",
  { timeout: 60_000 },
  () => {
    /** Runs the record step in a clone of `origin` (a local bare repository), as GitHub runs it. */
    async function appendRecord(origin: string, record: object | undefined) {
      const work = mkdtempSync(path.join(dir, "checkout-"));
      const git = (args: string[], cwd = work) => runCommand("git", args, { cwd });
      await git(["clone", "--quiet", "--depth=1", `file://${origin}`, work], dir);
      const temp = mkdtempSync(path.join(dir, "runner-temp-"));
      const file = path.join(temp, "uptime.jsonl"); // where the check step writes it
      if (record) writeFileSync(file, `${JSON.stringify(record)}\n`);
      const home = mkdtempSync(path.join(dir, "home-"));
      const result = await runCommand("bash", ["-e", "-c", recordStep.run], {
        cwd: work,
        env: { RUNNER_TEMP: temp, HOME: home, GIT_CONFIG_NOSYSTEM: "1" },
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      return result;
    }

    it("creates the uptime-record branch on the first check and appends one JSON line per check after that", async () => {
      const origin = path.join(dir, "origin.git");
      const seed = mkdtempSync(path.join(dir, "seed-"));
      const git = (args: string[], cwd: string) => runCommand("git", args, { cwd });
      await git(["init", "--quiet", "--bare", "-b", "main", origin], dir);
      await git(["init", "--quiet", "-b", "main"], seed);
      writeFileSync(path.join(seed, "README.md"), "app\n");
      await git(["add", "."], seed);
      await git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "init"], seed);
      await git(["push", "--quiet", origin, "main"], seed);

      const first = { version: 1, time: "2026-12-06T10:00:00.000Z", up: true, probes: [], tls: null };
      const second = { version: 1, time: "2026-12-06T10:05:00.000Z", up: false, probes: [], tls: null };
      await appendRecord(origin, first);
      await appendRecord(origin, second);
      await appendRecord(origin, undefined);

      const show = await git(["show", "uptime-record:records/2026-12.jsonl"], origin);
      expect(
        show.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line)),
      ).toEqual([first, second]);
      const log = await git(["log", "--format=%s", "uptime-record"], origin);
      expect(log.stdout.trim().split("\n")).toEqual([
        "uptime 2026-12-06T10:05:00.000Z down",
        "uptime 2026-12-06T10:00:00.000Z up",
      ]);
      const files = await git(["ls-tree", "-r", "--name-only", "uptime-record"], origin);
      expect(files.stdout.trim()).toBe("records/2026-12.jsonl");
    });
  },
);
