import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { headingAnchors } from "../../support/markdown";

/**
 * docs/runbooks/go-live-checklist.md: every item names its proof (a link or a command), and every
 * link, `npm run` script and file it names exists, so the checklist cannot point at something that
 * was renamed or removed.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const CHECKLIST = path.join(ROOT, "docs/runbooks/go-live-checklist.md");
const text = readFileSync(CHECKLIST, "utf8");
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts,
);

/** The checklist's items, each with its continuation lines joined. */
const items = text
  .split(/\n(?=- \[ \] )/)
  .filter((chunk) => chunk.startsWith("- [ ] "))
  .map((chunk) => chunk.split(/\n(?!\s)/)[0]!.replace(/\s+/g, " "));

const links = (item: string) => [...item.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);
const codeSpans = (item: string) => [...item.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

describe("go-live checklist", () => {
  it("has items", () => {
    expect(items.length).toBeGreaterThan(15);
  });

  it("names a proof in every item: a link or a command", () => {
    expect(items.filter((item) => links(item).length === 0 && codeSpans(item).length === 0)).toEqual([]);
  });

  it("links only to files and headings that exist", () => {
    const problems = items.flatMap(links).flatMap((target) => {
      if (/^https?:/.test(target)) return [];
      const [file, anchor] = target.split("#") as [string, string | undefined];
      const full = path.resolve(path.dirname(CHECKLIST), file);
      if (!existsSync(full)) return [`${target}: no such file`];
      if (anchor && full.endsWith(".md") && !headingAnchors(full).has(anchor))
        return [`${target}: no heading #${anchor}`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it("names only npm scripts that package.json has", () => {
    const named = items
      .flatMap(codeSpans)
      .flatMap((span) => [...span.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("names only repository paths that exist", () => {
    const paths = items.flatMap(codeSpans).filter((span) => /^\.?[\w-]+\/[\w./-]+$/.test(span));
    expect(paths.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });
});
