/**
 * The guides in docs/guides/ are executable: their annotated code blocks and directives are what
 * `npm run guides:verify` (scripts/verify-guides.ts) does in a scratch checkout, so a guide and the
 * code it describes cannot drift apart silently. This module reads a guide into scenarios and
 * applies its file operations; tests/unit/docs/guides.test.ts dry-runs them against the tree on
 * every `npm test`.
 *
 * In a guide:
 *   <!-- verify: scenario NAME -->                 starts a scenario (one scratch checkout each)
 *   ### 3. Title                                   a step: what the blocks below it belong to
 *   ```ts {file=PATH}                              create PATH with the block (it must not exist)
 *   ```sql {fill=GLOB}                             replace the content of the one file matching GLOB
 *   ```diff {edit=PATH}                            exact-text change: ' ' context, '-' removed, '+'
 *                                                  added lines; `@@` separates hunks; each hunk's old
 *                                                  text must occur exactly once in PATH
 *   ```diff {edit=PATH if-present}                 the same, skipped when PATH does not exist (a
 *                                                  file another removal deletes, e.g. render.yaml)
 *   ```sh {run=ID}                                 run with bash in the checkout (must succeed)
 *   <!-- verify: delete-section PATH "## Heading" -->   delete that heading and everything up to the
 *                                                  next heading of the same or a higher level
 *   <!-- verify: delete-lines PATH "text" -->       delete every line of PATH containing the text
 *                                                  (for table rows, whose padding changes)
 *   <!-- verify: delete-blocks DIR ATTR=VALUE -->   delete every ```… {ATTR=VALUE} block of DIR/*.md
 *   <!-- verify: … if-present -->                   (delete-section, delete-lines) skipped when the file is absent
 * Blocks without an attribute are illustrations and are not executed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The executable guides, in the order `npm run guides:verify` runs them. */
export const GUIDES = ["docs/guides/add-a-tenant-scoped-feature.md", "docs/guides/remove-what-you-do-not-need.md"];

export type Operation =
  | { kind: "file"; path: string; content: string }
  | { kind: "fill"; glob: string; content: string }
  | { kind: "edit"; path: string; hunks: { before: string; after: string }[]; ifPresent?: boolean }
  | { kind: "run"; id: string; script: string }
  | { kind: "delete-section"; path: string; heading: string; ifPresent?: boolean }
  | { kind: "delete-lines"; path: string; text: string; ifPresent?: boolean }
  | { kind: "delete-blocks"; dir: string; attribute: string; value: string };

export interface Step {
  title: string;
  operations: (Operation & { line: number })[];
}

export interface Scenario {
  guide: string;
  name: string;
  steps: Step[];
}

/** A guide's mistake or a drifted anchor: always names the guide, line and what was expected. */
export class GuideError extends Error {}

const FENCE_OPEN = /^```([\w-]*)\s*(?:\{([^}]*)\})?\s*$/;
const DIRECTIVE = /^<!--\s*verify:\s*(.+?)\s*-->\s*$/;

function attributesOf(text: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (text ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const [key, ...value] = pair.split("=");
        return [key!, value.join("=")];
      }),
  );
}

/** `' '`/`-`/`+` lines to old and new text; an empty line is an empty context line. */
function parseDiff(body: string[], where: string): { before: string; after: string }[] {
  const hunks: { before: string[]; after: string[] }[] = [{ before: [], after: [] }];
  for (const line of body) {
    if (line.startsWith("@@")) {
      hunks.push({ before: [], after: [] });
      continue;
    }
    const marker = line[0] ?? " ";
    const text = line.slice(1);
    const hunk = hunks.at(-1)!;
    if (marker === " ") {
      hunk.before.push(text);
      hunk.after.push(text);
    } else if (marker === "-") hunk.before.push(text);
    else if (marker === "+") hunk.after.push(text);
    else throw new GuideError(`${where}: diff line must start with ' ', '-' or '+': ${line}`);
  }
  return hunks.map((hunk) => {
    if (hunk.before.length === 0) throw new GuideError(`${where}: a diff hunk needs context or removed lines`);
    return { before: `${hunk.before.join("\n")}\n`, after: hunk.after.length ? `${hunk.after.join("\n")}\n` : "" };
  });
}

/** Words of a directive, with "double quoted" words kept whole. */
const words = (text: string) => [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);

export function parseGuide(file: string, text = readFileSync(file, "utf8")): Scenario[] {
  const guide = path.basename(file);
  const lines = text.split("\n");
  const scenarios: Scenario[] = [];
  let step: Step | undefined;
  const add = (operation: Operation, line: number) => {
    const where = `${guide}:${line}`;
    const scenario = scenarios.at(-1);
    if (!scenario) throw new GuideError(`${where}: an executable block before any <!-- verify: scenario … -->`);
    if (!step) throw new GuideError(`${where}: an executable block before the scenario's first ### step`);
    step.operations.push({ ...operation, line });
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const where = `${guide}:${index + 1}`;
    const directive = DIRECTIVE.exec(line);
    if (directive) {
      const [command, ...rest] = words(directive[1]!);
      const ifPresent = rest.at(-1) === "if-present";
      const args = ifPresent ? rest.slice(0, -1) : rest;
      if (command === "scenario" && args.length === 1) {
        scenarios.push({ guide, name: args[0]!, steps: [] });
        step = undefined;
      } else if (command === "delete-section" && args.length === 2) {
        add({ kind: "delete-section", path: args[0]!, heading: args[1]!, ifPresent }, index + 1);
      } else if (command === "delete-lines" && args.length === 2) {
        add({ kind: "delete-lines", path: args[0]!, text: args[1]!, ifPresent }, index + 1);
      } else if (command === "delete-blocks" && args.length === 2 && args[1]!.includes("=")) {
        const [attribute, value] = args[1]!.split("=") as [string, string];
        add({ kind: "delete-blocks", dir: args[0]!, attribute, value }, index + 1);
      } else {
        throw new GuideError(`${where}: unknown directive "${directive[1]}"`);
      }
      continue;
    }
    if (/^### /.test(line) && scenarios.length > 0) {
      step = { title: line.replace(/^###\s+/, ""), operations: [] };
      scenarios.at(-1)!.steps.push(step);
      continue;
    }
    if (/^#{1,2} /.test(line)) step = undefined;
    const open = FENCE_OPEN.exec(line);
    if (!open) continue;
    const start = index + 1;
    const body: string[] = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]!); index++) body.push(lines[index]!);
    const attributes = attributesOf(open[2]);
    const content = `${body.join("\n")}\n`;
    if (attributes.file) add({ kind: "file", path: attributes.file, content }, start);
    else if (attributes.fill) add({ kind: "fill", glob: attributes.fill, content }, start);
    else if (attributes.edit) {
      const ifPresent = "if-present" in attributes;
      add({ kind: "edit", path: attributes.edit, hunks: parseDiff(body, where), ifPresent }, start);
    } else if (attributes.run) add({ kind: "run", id: attributes.run, script: content }, start);
    else if (Object.keys(attributes).length > 0) {
      throw new GuideError(`${where}: unknown block attributes {${open[2]}}`);
    }
  }
  for (const scenario of scenarios) {
    if (scenario.steps.every((candidate) => candidate.operations.length === 0)) {
      throw new GuideError(`${guide}: scenario ${scenario.name} has no executable step`);
    }
  }
  return scenarios;
}

// ---- applying file operations -----------------------------------------------------------------------

/** Where operations read and write: the scratch checkout, or an in-memory overlay for a dry run. */
export interface Tree {
  read(file: string): string | undefined;
  write(file: string, content: string): void;
  list(dir: string): string[];
}

export function diskTree(root: string): Tree {
  return {
    read: (file) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : undefined),
    write: (file, content) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    },
    list: (dir) => (existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)) : []),
  };
}

/** The repository as it is, with the operations' changes kept in memory (nothing is written). */
export function overlayTree(root: string): Tree & { deleted: (file: string) => void } {
  const disk = diskTree(root);
  const changed = new Map<string, string | undefined>();
  return {
    read: (file) => (changed.has(file) ? changed.get(file) : disk.read(file)),
    write: (file, content) => void changed.set(file, content),
    deleted: (file) => void changed.set(file, undefined),
    list: (dir) => {
      const names = new Set(disk.list(dir));
      for (const [file, content] of changed) {
        if (path.dirname(file) !== dir) continue;
        if (content === undefined) names.delete(path.basename(file));
        else names.add(path.basename(file));
      }
      return [...names].sort();
    },
  };
}

const globRegex = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);

/** Deletes `heading` and its section (up to the next heading of the same or a higher level). */
export function deleteSection(text: string, heading: string): string | undefined {
  const level = /^(#+) /.exec(heading)?.[1]?.length;
  if (!level) return undefined;
  const lines = text.split("\n");
  let inFence = false;
  let start = -1;
  let end = lines.length;
  for (let index = 0; index < lines.length; index++) {
    if (/^```/.test(lines[index]!)) inFence = !inFence;
    if (inFence) continue;
    const match = /^(#+) /.exec(lines[index]!);
    if (start < 0 && lines[index] === heading) start = index;
    else if (start >= 0 && match && match[1]!.length <= level) {
      end = index;
      break;
    }
  }
  if (start < 0) return undefined;
  return [...lines.slice(0, start), ...lines.slice(end)].join("\n");
}

/** Deletes every fenced block carrying `{… attribute=value …}`; undefined when there is none. */
export function deleteBlocks(text: string, attribute: string, value: string): string | undefined {
  const lines = text.split("\n");
  const kept: string[] = [];
  let removed = 0;
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE_OPEN.exec(lines[index]!);
    if (open && attributesOf(open[2])[attribute] === value) {
      while (index + 1 < lines.length && !/^```\s*$/.test(lines[index + 1]!)) index++;
      index++; // the closing fence
      // One blank line between what was before and after the block, not two.
      if (kept.at(-1) === "" && lines[index + 1] === "") index++;
      removed++;
      continue;
    }
    kept.push(lines[index]!);
  }
  return removed > 0 ? kept.join("\n") : undefined;
}

/**
 * Applies one file operation to `tree`, failing loudly when its anchor is missing: a file to
 * create exists, a file to edit or fill is absent, an old text is not there exactly once, a
 * section or block to delete is not found. `run` operations are the caller's. Returns "skipped"
 * for an `if-present` operation on a file that does not exist.
 *
 * `after` is for a removal carried out after another one: the tree as it was before either. A
 * text, line, section or block that was there (exactly once) but is gone now was taken out by
 * the earlier removal, so that part is skipped rather than failed: two removals may both delete
 * the worker's lines of the Fly section, and the second finds the section gone. A diff hunk is
 * skipped only when the lines it removes are gone too: when the earlier removal merely changed
 * its context, the lines to remove are still there and the hunk fails, as it would for a person
 * following the guide. Anything else (a typo, text that occurs twice) still fails.
 */
export function applyFileOperation(
  tree: Tree,
  operation: Exclude<Operation, { kind: "run" }>,
  { after }: { after?: Tree } = {},
): "applied" | "skipped" {
  if ("ifPresent" in operation && operation.ifPresent && tree.read(operation.path) === undefined) return "skipped";
  if (after && operation.kind !== "file" && operation.kind !== "fill" && takenOutEarlier(tree, operation, after)) {
    return "skipped";
  }
  switch (operation.kind) {
    case "file": {
      if (tree.read(operation.path) !== undefined) throw new GuideError(`${operation.path} exists already`);
      tree.write(operation.path, operation.content);
      return "applied";
    }
    case "fill": {
      const dir = path.dirname(operation.glob);
      const pattern = globRegex(path.basename(operation.glob));
      const matches = tree.list(dir).filter((name) => pattern.test(name));
      if (matches.length !== 1) {
        throw new GuideError(`${operation.glob}: expected one file, found ${matches.length} (${matches.join(", ")})`);
      }
      tree.write(path.join(dir, matches[0]!), operation.content);
      return "applied";
    }
    case "edit": {
      let text = tree.read(operation.path);
      if (text === undefined) throw new GuideError(`${operation.path}: no such file to edit`);
      const before = after?.read(operation.path);
      for (const hunk of operation.hunks) {
        const count = text.split(hunk.before).length - 1;
        if (
          count === 0 &&
          before !== undefined &&
          before.split(hunk.before).length === 2 &&
          removedAlready(text, before, hunk)
        ) {
          continue;
        }
        if (count !== 1) {
          throw new GuideError(
            `${operation.path}: the text to change occurs ${count} times (expected once):\n${hunk.before}`,
          );
        }
        text = text.replace(hunk.before, () => hunk.after);
      }
      tree.write(operation.path, text);
      return "applied";
    }
    case "delete-section": {
      const text = tree.read(operation.path);
      const result = text === undefined ? undefined : deleteSection(text, operation.heading);
      if (result === undefined) throw new GuideError(`${operation.path}: no heading "${operation.heading}"`);
      tree.write(operation.path, result);
      return "applied";
    }
    case "delete-lines": {
      const lines = tree.read(operation.path)?.split("\n");
      const kept = lines?.filter((line) => !line.includes(operation.text));
      if (!lines || kept!.length === lines.length) {
        throw new GuideError(`${operation.path}: no line contains "${operation.text}"`);
      }
      tree.write(operation.path, kept!.join("\n"));
      return "applied";
    }
    case "delete-blocks": {
      let found = 0;
      for (const name of tree.list(operation.dir).filter((candidate) => candidate.endsWith(".md"))) {
        const file = path.join(operation.dir, name);
        const result = deleteBlocks(tree.read(file)!, operation.attribute, operation.value);
        if (result === undefined) continue;
        tree.write(file, result);
        found++;
      }
      if (found === 0) {
        throw new GuideError(`${operation.dir}: no block {${operation.attribute}=${operation.value}} in any .md file`);
      }
      return "applied";
    }
  }
}

/**
 * Whether the earlier removal did a hunk's work: each line the hunk removes occurs fewer times in
 * `text` than it did in `before` (by at least as many as the hunk removes). A changed context with
 * the lines to remove still there is not done.
 */
function removedAlready(text: string, before: string, hunk: { before: string; after: string }): boolean {
  const count = (source: string, line: string) => source.split("\n").filter((candidate) => candidate === line).length;
  const removed = new Map<string, number>();
  const kept = hunk.after.split("\n");
  for (const line of hunk.before.split("\n")) {
    if (line.trim() === "" || kept.includes(line)) continue;
    removed.set(line, (removed.get(line) ?? 0) + 1);
  }
  if (removed.size === 0) return false;
  return [...removed].every(([line, times]) => count(before, line) - count(text, line) >= times);
}

/** Whether the whole anchor of `operation` existed in `before` and is gone from `tree` (see applyFileOperation). */
function takenOutEarlier(
  tree: Tree,
  operation: Exclude<Operation, { kind: "run" | "file" | "fill" | "edit" }> | Extract<Operation, { kind: "edit" }>,
  before: Tree,
): boolean {
  switch (operation.kind) {
    case "edit":
      // Whole file gone; a gone hunk is skipped hunk by hunk in applyFileOperation.
      return tree.read(operation.path) === undefined && before.read(operation.path) !== undefined;
    case "delete-section": {
      const now = tree.read(operation.path);
      const then = before.read(operation.path);
      if (then === undefined || deleteSection(then, operation.heading) === undefined) return false;
      return now === undefined || deleteSection(now, operation.heading) === undefined;
    }
    case "delete-lines": {
      const has = (text: string | undefined) =>
        text?.split("\n").some((line) => line.includes(operation.text)) ?? false;
      return has(before.read(operation.path)) && !has(tree.read(operation.path));
    }
    case "delete-blocks": {
      const blocks = (source: Tree) =>
        source
          .list(operation.dir)
          .filter((name) => name.endsWith(".md"))
          .some((name) =>
            deleteBlocks(source.read(path.join(operation.dir, name))!, operation.attribute, operation.value),
          );
      return blocks(before) && !blocks(tree);
    }
  }
}
