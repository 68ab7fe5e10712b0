/**
 * Secret scan (`npm run secrets:scan`, run by .ci/run): secretlint with the recommended rules
 * (.secretlintrc.json) over every file git tracks, and over the history's patches, so a
 * credential committed and then deleted still fails the check. ADR 0062.
 *
 *   npm run secrets:scan                      # the tree and the whole history of HEAD
 *   npm run secrets:scan -- --since main      # the tree and the commits after main only
 *
 * Prints each finding with its file (or commit) and line, never the secret itself (secretlint
 * masks it); exits 1 on any finding, 2 when it cannot run.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SECRETLINT = path.join(ROOT, "node_modules/.bin/secretlint");
const CONFIG = path.join(ROOT, ".secretlintrc.json");
/** The repository scanned: the one the command runs in (this project's, from npm run). */
const REPOSITORY = process.cwd();

interface Finding {
  filePath: string;
  messages: { ruleId: string; message: string; loc: { start: { line: number } } }[];
}

function run(command: string, args: string[], input?: string) {
  const result = spawnSync(command, args, { cwd: REPOSITORY, input, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function secretlint(args: string[], input?: string): Finding[] {
  const result = run(SECRETLINT, ["--format", "json", "--secretlintrc", CONFIG, ...args], input);
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`secretlint exited ${result.status}: ${result.stderr}`);
  return (JSON.parse(result.stdout || "[]") as Finding[]).filter((finding) => finding.messages.length > 0);
}

function scanTree(): string[] {
  const files = run("git", ["ls-files", "-z"]).stdout.split("\0").filter(Boolean);
  const problems: string[] = [];
  // In batches: one command line holds a few thousand paths at most.
  for (let start = 0; start < files.length; start += 500) {
    for (const finding of secretlint(files.slice(start, start + 500))) {
      for (const message of finding.messages) {
        problems.push(`${path.relative(REPOSITORY, finding.filePath)}:${message.loc.start.line} ${message.message}`);
      }
    }
  }
  return problems;
}

function scanHistory(since: string | undefined): { problems: string[]; commits: number } {
  const range = since ? `${since}..HEAD` : "HEAD";
  const patch = run("git", ["log", "-p", "--no-color", "--no-ext-diff", "--format=commit %H", range]);
  if (patch.status !== 0) throw new Error(`git log ${range}: ${patch.stderr}`);
  const lines = patch.stdout.split("\n");
  const commits = lines.filter((line) => /^commit [0-9a-f]{40}$/.test(line)).length;
  const problems = secretlint(["--stdinFileName", "history.patch"], patch.stdout).flatMap((finding) =>
    finding.messages.map((message) => {
      // The commit whose patch holds the line: the nearest "commit <sha>" above it.
      let index = message.loc.start.line - 1;
      while (index > 0 && !/^commit [0-9a-f]{40}$/.test(lines[index]!)) index--;
      return `${lines[index]?.slice(7, 19) ?? "?"} (history) ${message.message}`;
    }),
  );
  return { problems, commits };
}

function main(): number {
  const args = process.argv.slice(2);
  const sinceIndex = args.indexOf("--since");
  const since = sinceIndex >= 0 ? args[sinceIndex + 1] : undefined;
  if (sinceIndex >= 0 && !since) throw new Error("--since needs a git ref");
  const tree = scanTree();
  const history = scanHistory(since);
  const problems = [...tree, ...history.problems];
  for (const problem of problems) console.error(`secret: ${problem}`);
  console.log(
    `secrets:scan: ${problems.length} finding(s) in the tracked files and ${history.commits} commit(s) of history${since ? ` after ${since}` : ""}`,
  );
  return problems.length ? 1 : 0;
}

try {
  process.exit(main());
} catch (error) {
  console.error(`secrets:scan: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
