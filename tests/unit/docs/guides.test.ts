import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyFileOperation,
  deleteBlocks,
  deleteSection,
  GUIDES,
  GuideError,
  overlayTree,
  parseGuide,
} from "../../../scripts/guides";
import { headingAnchors } from "../../support/markdown";

/**
 * The guides in docs/guides/ are executed by `npm run guides:verify` (heavy: builds, integration
 * tests). This dry run is cheap and runs with every `npm test`: each scenario's file operations
 * apply, in order, to the tree as it is now (shell steps are skipped), so a change to code a guide
 * quotes fails here at once, and every link in the guides resolves.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe.each(GUIDES)("%s", (guide) => {
  const scenarios = parseGuide(path.join(ROOT, guide));

  it("declares executable scenarios, each ending with a check", () => {
    expect(scenarios.length).toBeGreaterThan(0);
    for (const scenario of scenarios) {
      const last = scenario.steps.at(-1)?.operations.at(-1);
      expect(last?.kind, `${scenario.name} must end with a {run=…} check`).toBe("run");
    }
  });

  for (const scenario of parseGuide(path.join(ROOT, guide))) {
    // A checkout where the scenario was carried out (the verifier's scratch copy, or a fork that
    // added exactly this feature) has every file it creates: there is nothing left to apply.
    const created = scenario.steps.flatMap((step) => step.operations).filter((operation) => operation.kind === "file");
    const applied = created.length > 0 && created.every((operation) => existsSync(path.join(ROOT, operation.path)));
    it.skipIf(applied)(`${scenario.name}: every file operation applies to the current tree`, () => {
      const tree = overlayTree(ROOT);
      const problems: string[] = [];
      for (const operation of scenario.steps.flatMap((step) => step.operations)) {
        if (operation.kind === "run") {
          simulateGitFileCommands(tree, operation.script);
          continue;
        }
        // A file a command creates (db:generate) cannot be filled in a dry run.
        if (operation.kind === "fill") continue;
        try {
          applyFileOperation(tree, operation);
        } catch (error) {
          problems.push(`${guide}:${operation.line}: ${(error as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("links only to files and headings that exist", () => {
    const file = path.join(ROOT, guide);
    const text = readFileSync(file, "utf8")
      .replace(/```[\s\S]*?```/g, "")
      .replace(/<!--[\s\S]*?-->/g, "");
    const problems = [...text.matchAll(/\]\((?:<([^>]+)>|([^)\s]+))\)/g)]
      .map((match) => (match[1] ?? match[2])!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => {
        const [filePart, anchor] = target.split("#") as [string, string | undefined];
        const linked = filePart ? path.resolve(path.dirname(file), filePart) : file;
        if (!existsSync(linked)) return true;
        return Boolean(anchor) && linked.endsWith(".md") && !headingAnchors(linked).has(anchor!);
      });
    expect(problems).toEqual([]);
  });
});

describe("the removals", () => {
  const removals = parseGuide(path.join(ROOT, "docs/guides/remove-what-you-do-not-need.md"));
  const pairs = removals.flatMap((first) =>
    removals.filter((then) => then !== first).map((then) => [first.name, then.name] as const),
  );

  it.each(pairs)("still apply in any order: %s, then %s", (firstName, thenName) => {
    const tree = overlayTree(ROOT);
    const problems: string[] = [];
    for (const name of [firstName, thenName]) {
      const scenario = removals.find((candidate) => candidate.name === name)!;
      // The second removal may find text the first one took out (applyFileOperation's `after`).
      const after = name === thenName ? overlayTree(ROOT) : undefined;
      for (const operation of scenario.steps.flatMap((step) => step.operations)) {
        if (operation.kind === "run") simulateGitFileCommands(tree, operation.script);
        else if (operation.kind !== "fill") {
          try {
            applyFileOperation(tree, operation, { after });
          } catch (error) {
            problems.push(`${name}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("guide operations", () => {
  it("deletes a section up to the next heading of its level, leaving fenced '#' lines alone", () => {
    const text = "# T\n\n## A\n\n```sh\n# not a heading\n```\n\n### A.1\n\ntext\n\n## B\n";
    expect(deleteSection(text, "## A")).toBe("# T\n\n## B\n");
    expect(deleteSection(text, "## C")).toBeUndefined();
  });

  it("deletes the blocks carrying an attribute, and nothing else", () => {
    const text = "a\n\n```sh {platform=fly}\nfly deploy\n```\n\n```sh {platform=render}\nx\n```\n";
    expect(deleteBlocks(text, "platform", "fly")).toBe("a\n\n```sh {platform=render}\nx\n```\n");
    expect(deleteBlocks(text, "platform", "railway")).toBeUndefined();
  });

  it("refuses an edit whose text is not in the file exactly once", () => {
    const tree = overlayTree(ROOT);
    tree.write("example.txt", "one\ntwo\none\n");
    const edit = (before: string) => () =>
      applyFileOperation(tree, { kind: "edit", path: "example.txt", hunks: [{ before, after: "" }] });
    expect(edit("one\n")).toThrow(GuideError);
    expect(edit("three\n")).toThrow(/occurs 0 times/);
    expect(edit("two\n")).not.toThrow();
  });

  it("after another removal, skips only what that removal took out", () => {
    const before = overlayTree(ROOT);
    before.write("example.md", "# T\n\n## Fly\n\nworker group\n\n## Other\n\nworker row\n");
    const tree = overlayTree(ROOT);
    tree.write("example.md", "# T\n\n## Other\n\nworker row\n");
    const edit = (text: string) => ({
      kind: "edit" as const,
      path: "example.md",
      hunks: [{ before: text, after: "" }],
    });
    const lines = (text: string) => ({ kind: "delete-lines" as const, path: "example.md", text });
    const section = (heading: string) => ({ kind: "delete-section" as const, path: "example.md", heading });
    expect(applyFileOperation(tree, edit("worker group\n"), { after: before })).toBe("applied");
    expect(applyFileOperation(tree, lines("worker group"), { after: before })).toBe("skipped");
    expect(applyFileOperation(tree, section("## Fly"), { after: before })).toBe("skipped");
    expect(() => applyFileOperation(tree, edit("worker grup\n"), { after: before })).toThrow(/occurs 0 times/);
    // Its context changed, but the line it removes is still there: not done, so it fails.
    before.write("context.ts", "export { a, b };\nexport function hook() {}\n");
    tree.write("context.ts", "export { a };\nexport function hook() {}\n");
    const hunk = { before: "export { a, b };\nexport function hook() {}\n", after: "export { a, b };\n" };
    const changedContext = { kind: "edit" as const, path: "context.ts", hunks: [hunk] };
    expect(() => applyFileOperation(tree, changedContext, { after: before })).toThrow(/occurs 0 times/);
    expect(() => applyFileOperation(tree, lines("no such line"), { after: before })).toThrow(GuideError);
    expect(() => applyFileOperation(tree, section("## Fly"))).toThrow(/no heading/);
    expect(applyFileOperation(tree, lines("worker row"), { after: before })).toBe("applied");
    expect(tree.read("example.md")).toBe("# T\n\n## Other\n\n");
  });

  it("parses a scenario's steps, blocks and directives", () => {
    const [scenario] = parseGuide(
      "x.md",
      [
        "<!-- verify: scenario demo -->",
        "### 1. Write",
        "```ts {file=a.ts}",
        "export const a = 1;",
        "```",
        "```diff {edit=b.ts}",
        " keep",
        "-old",
        "+new",
        "```",
        '<!-- verify: delete-lines README.md "| row " -->',
        "### 2. Check",
        "```sh {run=check}",
        "npm test",
        "```",
      ].join("\n"),
    );
    expect(scenario!.steps.map((step) => step.operations.map((operation) => operation.kind))).toEqual([
      ["file", "edit", "delete-lines"],
      ["run"],
    ]);
    expect(scenario!.steps[0]!.operations[1]).toMatchObject({
      hunks: [{ before: "keep\nold\n", after: "keep\nnew\n" }],
    });
  });
});

/** What a step's `git rm` and `git mv` do to the files later operations see (other commands are skipped). */
function simulateGitFileCommands(tree: ReturnType<typeof overlayTree>, script: string): void {
  for (const line of script.replace(/\\\n\s*/g, " ").split("\n")) {
    const [command, ...args] = line.trim().split(/\s+/).slice(1);
    const paths = args.filter((arg) => !arg.startsWith("-"));
    if (command === "rm") for (const file of paths) tree.deleted(file);
    if (command === "mv" && paths.length === 2) {
      tree.write(paths[1]!, tree.read(paths[0]!) ?? "");
      tree.deleted(paths[0]!);
    }
  }
}
