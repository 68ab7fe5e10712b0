import { readFileSync } from "node:fs";
import path from "node:path";
import { runCommand, type CommandOptions, type CommandResult } from "./command";

/**
 * Runbooks are the source of the recovery commands that tests execute: a test never repeats a
 * runbook's commands, it runs them from the file. Every shell block in docs/runbooks/ carries an
 * attribute after its language:
 *
 *   ```sh {run=postgres-down}      executed by a test (runbookBlock("database-down.md", "postgres-down"))
 *   ```sh {platform=fly}           needs the real platform (fly, render, railway, compose-vm, github)
 *
 * tests/unit/docs/runbooks.test.ts checks that every block has one, and that every `run=` id is used
 * by a test.
 */

const RUNBOOKS_DIR = path.resolve(import.meta.dirname, "../../docs/runbooks");

export interface RunbookBlock {
  file: string;
  language: string;
  attributes: Record<string, string>;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

const FENCE = /^```([\w-]*)\s*(?:\{([^}]*)\})?\s*$/;

/** Every fenced code block of a markdown file, with its `{key=value ...}` attributes. */
export function codeBlocks(file: string): RunbookBlock[] {
  const lines = readFileSync(path.resolve(RUNBOOKS_DIR, file), "utf8").split("\n");
  const blocks: RunbookBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]!); index++) body.push(lines[index]!);
    const attributes = Object.fromEntries(
      (open[2] ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => {
          const [key, ...value] = pair.split("=");
          return [key!, value.join("=")];
        }),
    );
    blocks.push({ file, language: open[1] ?? "", attributes, code: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

/** The block of `file` marked `{run=id}`; throws when there is none or more than one. */
export function runbookBlock(file: string, id: string): RunbookBlock {
  const matches = codeBlocks(file).filter((block) => block.attributes.run === id);
  if (matches.length !== 1)
    throw new Error(`docs/runbooks/${file}: expected one block {run=${id}}, found ${matches.length}`);
  return matches[0]!;
}

/**
 * Runs a runbook block with bash (`set -euo pipefail`), in `cwd`, with `env` added to this
 * process's environment (runbooks name what they need as variables, e.g. $DATABASE_URL), as
 * `user` when given (e.g. the postgres OS user for commands a runbook runs as postgres).
 */
export function runRunbookBlock(block: RunbookBlock, options: CommandOptions = {}): Promise<CommandResult> {
  return runCommand("bash", ["-euo", "pipefail", "-c", block.code], {
    ...options,
    cwd: options.cwd ?? path.resolve(RUNBOOKS_DIR, "../.."),
  });
}
