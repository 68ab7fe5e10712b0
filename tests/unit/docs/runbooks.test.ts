import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import GithubSlugger from "github-slugger";
import { describe, expect, it } from "vitest";
import { alertingRules } from "../../support/monitoring-files";
import { headingAnchors } from "../../support/markdown";
import { codeBlocks } from "../../support/runbook";

/**
 * The runbooks' conventions (docs/runbooks/README.md, CONTRACTS.md): every shell block says where
 * it runs, every `run=` block is executed by a test, and every alert links to a heading that exists.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const RUNBOOKS = path.join(ROOT, "docs/runbooks");
const TESTS = path.join(ROOT, "tests");
const THIS_FILE = path.resolve(import.meta.filename);

/**
 * `run=` blocks no test runs yet (the game day, tests/gameday, runs most incident blocks; the
 * others run in integration tests). Empty: list an id here only while the test that will run it is
 * being written; the check below fails once a listed id is used.
 */
const pendingGameDayBlocks: string[] = [];

/**
 * Runbooks other work streams write (CONTRACTS.md): links to them may point ahead of their arrival;
 * once a file exists its anchors are checked like any other.
 */
const OTHER_STREAMS_RUNBOOKS = ["deploy.md", "rollback.md", "backups.md"];

const SHELL_LANGUAGES = new Set(["sh", "bash", "shell", "zsh", "console"]);
const PLATFORMS = new Set(["fly", "render", "railway", "compose-vm", "github"]);

const runbookFiles = readdirSync(RUNBOOKS)
  .filter((file) => file.endsWith(".md"))
  .sort();
const blocks = runbookFiles.flatMap((file) => codeBlocks(file));
const runIds = blocks.filter((block) => block.attributes.run).map((block) => block.attributes.run!);

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return testSources(full);
    return /\.(ts|mts|js|mjs)$/.test(entry) && full !== THIS_FILE ? [readFileSync(full, "utf8")] : [];
  });
}

const usedByATest = (() => {
  const sources = testSources(TESTS).join("\n");
  return (id: string) => new RegExp(`["'\`]${id.replace(/[-]/g, "\\-")}["'\`]`).test(sources);
})();

/** Problems with a link target `target` (a path relative to `fromFile`, maybe with #anchor). */
function linkProblem(fromFile: string, target: string): string | undefined {
  const [filePart, anchor] = target.split("#") as [string, string | undefined];
  const file = filePart ? path.resolve(path.dirname(fromFile), filePart) : fromFile;
  if (!existsSync(file)) {
    const pending = path.dirname(file) === RUNBOOKS && OTHER_STREAMS_RUNBOOKS.includes(path.basename(file));
    return pending ? undefined : `${target}: no such file`;
  }
  if (anchor && file.endsWith(".md") && !headingAnchors(file).has(anchor)) return `${target}: no heading #${anchor}`;
  return undefined;
}

describe("runbook code blocks", () => {
  it("each declare a language", () => {
    expect(blocks.filter((block) => !block.language).map((block) => `${block.file}:${block.line}`)).toEqual([]);
  });

  it("are shell blocks marked {run=ID} or {platform=NAME}", () => {
    const problems = blocks
      .filter((block) => SHELL_LANGUAGES.has(block.language))
      .flatMap((block) => {
        const { run, platform } = block.attributes;
        const where = `${block.file}:${block.line}`;
        if (run && platform) return [`${where}: both run= and platform=`];
        if (run) return /^[a-z0-9-]+$/.test(run) ? [] : [`${where}: run id "${run}" must be kebab-case`];
        if (platform) return PLATFORMS.has(platform) ? [] : [`${where}: unknown platform "${platform}"`];
        return [`${where}: shell block without {run=ID} or {platform=NAME}`];
      });
    expect(problems).toEqual([]);
  });

  it("keep SQL inside shell blocks (psql), where a test can run it", () => {
    expect(blocks.filter((block) => block.language === "sql").map((block) => `${block.file}:${block.line}`)).toEqual(
      [],
    );
  });

  it("use each run id once across all runbooks", () => {
    const duplicates = runIds.filter((id, index) => runIds.indexOf(id) !== index);
    expect(duplicates).toEqual([]);
  });

  it("are each executed by a test, or listed in pendingGameDayBlocks", () => {
    const unused = runIds.filter((id) => !usedByATest(id) && !pendingGameDayBlocks.includes(id));
    expect(unused, "run= blocks no test executes").toEqual([]);
  });

  it("pendingGameDayBlocks names only blocks that exist and that no test runs yet", () => {
    expect(
      pendingGameDayBlocks.filter((id) => !runIds.includes(id)),
      "no such block",
    ).toEqual([]);
    expect(pendingGameDayBlocks.filter(usedByATest), "already executed by a test: remove from the list").toEqual([]);
  });
});

describe("runbook links", () => {
  it("every alert's runbook_url names an existing runbook heading", () => {
    const prefix = "https://github.com/slipway-dev/slipway/blob/main/docs/runbooks/";
    const problems = alertingRules().flatMap((rule) => {
      const url = rule.annotations?.runbook_url ?? "";
      if (!url.startsWith(prefix)) return [`${rule.alert}: ${url} is not under ${prefix}`];
      const [file, anchor] = url.slice(prefix.length).split("#") as [string, string | undefined];
      if (!anchor) return [`${rule.alert}: ${url} has no #heading`];
      const full = path.join(RUNBOOKS, file);
      if (!existsSync(full)) return [`${rule.alert}: docs/runbooks/${file} does not exist`];
      return headingAnchors(full).has(anchor) ? [] : [`${rule.alert}: docs/runbooks/${file} has no heading #${anchor}`];
    });
    expect(problems).toEqual([]);
  });

  it("every relative link in the runbooks points at an existing file and heading", () => {
    const problems = runbookFiles.flatMap((name) => {
      const file = path.join(RUNBOOKS, name);
      const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
      return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .flatMap((target) => {
          const problem = linkProblem(file, target);
          return problem ? [`${name}: ${problem}`] : [];
        });
    });
    expect(problems).toEqual([]);
  });

  it("the anchor check follows GitHub's rules (punctuation dropped, duplicates numbered)", () => {
    const slugger = new GithubSlugger();
    expect(slugger.slug("No instance answers (SlipwayDown)")).toBe("no-instance-answers-slipwaydown");
    expect(slugger.slug("DATABASE_URL")).toBe("database_url");
    expect(slugger.slug("Restore the app role's grants")).toBe("restore-the-app-roles-grants");
    expect(slugger.slug("DATABASE_URL")).toBe("database_url-1");
  });
});
