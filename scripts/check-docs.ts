/**
 * `npm run lint:docs` (part of `npm run lint`): the docs name only things that exist. Every
 * backticked repository path or file name in README.md and docs/ must be a tracked file or folder,
 * and every backticked function call (`name()`) must be declared somewhere in the tracked source.
 * Docs that drift send a reader to a file or a helper that is gone (issue 20: `requireTenant()`,
 * `sentry.edge.config.ts`).
 *
 * Not checked: URLs and URL paths (`/health/live`), absolute and home paths (`/etc/...`, `~/...`),
 * build and install output (`.next/`, `node_modules/`, `dist/`, ...), patterns with placeholders
 * (`*`, `<name>`, `{...}`, `$VAR`, `NNNN`), and what a superseded ADR said at the time (its status
 * line says "superseded"; it records a decision, not the code of today).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** Folders whose content the build, the install or a test run makes: not in git, named in docs on purpose. */
const GENERATED = [
  ".next/",
  "node_modules/",
  "dist/",
  ".releases/",
  "coverage/",
  "reports/",
  "test-results/",
  "playwright-report/",
  "bench/results/",
  ".data/",
  ".deploy/",
  "secrets/",
];
const FILE_EXTENSION = /\.(ts|tsx|mts|mjs|cjs|js|json|ya?ml|md|toml|sql|sh|conf|txt|css|html)$/;
const MEDIA_TYPE = /^(application|text|image|multipart|font|audio|video)\/[\w.+-]+$/;
/** Bare file names that are documented on purpose though not tracked (local, ignored files). */
const UNTRACKED_NAMES = new Set([".env", ".env.local", "server.js", "worker.mjs", "migrate.mjs", "next-env.d.ts"]);

interface DocProblem {
  doc: string;
  line: number;
  token: string;
  why: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function tracked(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
}

function isPlaceholder(token: string): boolean {
  return /[*<>{}$…|]|\.\.\.|NNNN|XXXX|YYYY/.test(token) || /\s/.test(token);
}

/**
 * A repository path or a file name, as a doc names it; undefined when the token is neither (or is a
 * module specifier of a dependency, a media type, an extension).
 */
export function pathIn(token: string, dependencies: ReadonlySet<string>): string | undefined {
  const bare = token.replace(/:\d+(-\d+)?$/, "").replace(/^\.\//, "");
  if (isPlaceholder(bare) || /^[a-z]+:\/\//i.test(bare) || bare.startsWith("/") || bare.startsWith("~"))
    return undefined;
  if (bare.startsWith("../") || bare.startsWith("@") || MEDIA_TYPE.test(bare) || /^\.[a-z]+$/.test(bare))
    return undefined;
  if (dependencies.has(bare.split("/")[0]!)) return undefined;
  if (GENERATED.some((prefix) => bare.startsWith(prefix) || bare === prefix.slice(0, -1))) return undefined;
  if (bare.includes("/")) {
    // A path: its first segment looks like a repository folder or file.
    if (!/^[\w.-]+(\/[\w.()[\]@-]+)+\/?$/.test(bare)) return undefined;
    return bare;
  }
  return FILE_EXTENSION.test(bare) && /^[\w.-]+$/.test(bare) ? bare : undefined;
}

/** A function named as a call: `name()` or `name(args)`, camelCase, not a method of something. */
export function functionIn(token: string): string | undefined {
  const match = /^([a-z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\([^)]*\)$/.exec(token);
  return match?.[1];
}

function isSupersededAdr(doc: string, text: string): boolean {
  return doc.startsWith("docs/decisions/") && /^- Status:[^\n]*superseded/im.test(text);
}

/** The direct dependencies' names: `next/navigation` or `drizzle-orm/pg-core` is a module, not a path. */
function dependencyNames(): Set<string> {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Record<
    string,
    Record<string, string>
  >;
  return new Set(
    Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).map((name) => name.split("/")[0]!),
  );
}

/** Whether a dependency's type declarations declare `name` (a framework function a doc names: `notFound()`). */
function declaredByADependency(name: string): boolean {
  try {
    execFileSync(
      "grep",
      [
        "-rqsw",
        "--include=*.d.ts",
        "-E",
        `(function|const) ${name}\\b|${name}\\(`,
        "node_modules/next",
        "node_modules/react",
        "node_modules/@clerk",
        "node_modules/@sentry",
        "node_modules/drizzle-orm",
        "node_modules/postgres",
        "node_modules/@types/node",
      ],
      { cwd: root },
    );
    return true;
  } catch {
    return false;
  }
}

function checkDocs(): DocProblem[] {
  const files = tracked();
  const paths = new Set(files);
  const folders = new Set(
    files.flatMap((file) => {
      const segments = file.split("/");
      return segments.slice(1).map((_, index) => segments.slice(0, index + 1).join("/"));
    }),
  );

  const names = new Set(files.map((file) => path.basename(file)));
  const sources = files
    .filter((file) => /\.(ts|tsx|mts|mjs)$/.test(file))
    .map((file) => readFileSync(path.join(root, file), "utf8"))
    .join("\n");
  const declared = (name: string) =>
    new RegExp(
      `(function\\*?\\s+${name}\\b|(const|let|var|class)\\s+${name}\\b|\\b${name}\\s*[:=]\\s*(async\\s*)?(\\(|function)|^\\s*(async\\s+)?${name}\\s*\\(|\\bas\\s+${name}\\b)`,
      "m",
    ).test(sources);

  const dependencies = dependencyNames();
  const docs = files.filter((file) => file === "README.md" || (file.startsWith("docs/") && file.endsWith(".md")));
  const problems: DocProblem[] = [];
  for (const doc of docs) {
    const text = readFileSync(path.join(root, doc), "utf8");
    if (isSupersededAdr(doc, text)) continue;
    const lines = text.split("\n");
    let fenced = false;
    let inContext = false;
    lines.forEach((line, index) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      // An ADR's Context describes how things were when it was written.
      if (/^## /.test(line)) inContext = doc.startsWith("docs/decisions/") && /^## Context/.test(line);
      // HTML comments are instructions to tools (guides:verify), not prose.
      if (fenced || inContext || /^\s*<!--/.test(line)) return;
      for (const match of line.matchAll(/`([^`\n]+)`/g)) {
        const token = match[1]!.trim();
        const file = pathIn(token, dependencies);
        if (file !== undefined) {
          const clean = file.replace(/\/$/, "");
          // A path may be named from the repository's root, from the doc's folder, or by its tail
          // (`meta/_journal.json`, `env/client` for src/lib/env/client.ts).
          const exists = file.includes("/")
            ? paths.has(clean) ||
              folders.has(clean) ||
              paths.has(path.posix.join(path.posix.dirname(doc), clean)) ||
              files.some((tracked) =>
                new RegExp(`(^|/)${escape(clean)}(\\.tsx?|\\.mjs|/index\\.tsx?)?$`).test(tracked),
              ) ||
              [...folders].some((folder) => folder.endsWith(`/${clean}`))
            : names.has(clean) || UNTRACKED_NAMES.has(clean) || folders.has(clean);
          if (!exists) problems.push({ doc, line: index + 1, token, why: "no such file or folder in the repository" });
          continue;
        }
        const fn = functionIn(token);
        if (fn !== undefined && !declared(fn) && !declaredByADependency(fn)) {
          problems.push({ doc, line: index + 1, token, why: "no function of that name is declared in the source" });
        }
      }
    });
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkDocs();
  for (const problem of problems) console.error(`${problem.doc}:${problem.line}: \`${problem.token}\`: ${problem.why}`);
  if (problems.length > 0) {
    console.error(`\nlint:docs: ${problems.length} reference(s) to things that do not exist.`);
    process.exit(1);
  }
  console.log("lint:docs: every path and function the docs name exists.");
}
