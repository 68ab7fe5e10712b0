/**
 * Reads the deployment files (Dockerfile, compose files, Fly/Railway/Render manifests, GitHub
 * workflows) into plain objects, for the static checks in tests/unit/deploy and for
 * scripts/check-deploy-schemas.mjs. No network, no dependency outside the project.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";

/**
 * The checkout whose deployment files are read. SLIPWAY_DEPLOY_ROOT is for
 * tests/unit/deploy/cut-down.test.ts only: it runs the deploy checks on scratch copies without
 * some targets' files.
 */
export const root = path.resolve(process.env.SLIPWAY_DEPLOY_ROOT || path.join(import.meta.dirname, ".."));

export const read = (file) => readFileSync(path.join(root, file), "utf8");

/** Whether `file` (relative to the root) exists: a fork deletes the deployment files it does not use. */
export const exists = (file) => existsSync(path.join(root, file));

/**
 * The image's migrator, as every release step runs it: Fly's release_command, Railway's and
 * Render's preDeployCommand and the production compose `migrate` service are checked against it
 * (tests/unit/deploy), and `npm run test:container` runs it in the built image. One place, so no
 * check depends on a manifest a fork may delete.
 */
export const MIGRATOR_COMMAND = "node db/migrate.mjs";

// ---- Compose ------------------------------------------------------------------------------------

/** A value carrying a Compose merge tag: `!reset` (drop the inherited value) or `!override` (replace it). */
export class ComposeTag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

const composeTags = ["!reset", "!override"].flatMap((tag) => [
  { tag, collection: "seq", resolve: (seq) => new ComposeTag(tag, seq.toJSON()) },
  { tag, collection: "map", resolve: (map) => new ComposeTag(tag, map.toJSON()) },
  { tag, resolve: (text) => new ComposeTag(tag, text === "" || text === "null" ? null : text) },
]);

/** Parses a compose file as Compose does: YAML merge keys (`<<`) and the `!reset`/`!override` tags. */
export function parseCompose(text) {
  return parseYaml(text, { customTags: composeTags, merge: true, maxAliasCount: -1 });
}

/** The file as a schema sees it: each tagged value replaced by its plain value. */
export function untagCompose(value) {
  if (value instanceof ComposeTag) return untagCompose(value.value ?? null);
  if (Array.isArray(value)) return value.map(untagCompose);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, untagCompose(child)]));
  }
  return value;
}

/** Sequences Compose replaces instead of appending when files are layered. */
const REPLACED_SEQUENCES = new Set(["command", "entrypoint", "test"]);

/**
 * `docker compose -f base -f overlay`: mappings merge key by key, scalars and `command`,
 * `entrypoint`, `healthcheck.test` are replaced, other sequences are appended (duplicates dropped),
 * `!reset` removes the inherited value and `!override` replaces it. (The subset of Compose's merge
 * rules these files use: environment is always a mapping here.)
 */
export function mergeCompose(base, overlay, key = "") {
  if (overlay instanceof ComposeTag) {
    return overlay.tag === "!reset" ? undefined : untagCompose(overlay.value);
  }
  if (Array.isArray(base) && Array.isArray(overlay) && !REPLACED_SEQUENCES.has(key)) {
    const merged = [...base];
    for (const item of overlay.map(untagCompose)) {
      if (!merged.some((existing) => JSON.stringify(existing) === JSON.stringify(item))) merged.push(item);
    }
    return merged;
  }
  if (isPlainObject(base) && isPlainObject(overlay)) {
    const merged = { ...base };
    for (const [childKey, value] of Object.entries(overlay)) {
      const result = mergeCompose(base[childKey], value, childKey);
      if (result === undefined) delete merged[childKey];
      else merged[childKey] = result;
    }
    return merged;
  }
  return untagCompose(overlay);
}

const isPlainObject = (value) => Boolean(value) && typeof value === "object" && !Array.isArray(value);

export const COMPOSE_FILES = { base: "docker-compose.yml", production: "compose.production.yaml" };

/**
 * Both compose files as written (tags kept) and the merged production configuration. Without
 * compose.production.yaml (a fork that does not deploy with compose), `production` and `merged`
 * are undefined.
 */
export function readCompose() {
  const base = parseCompose(read(COMPOSE_FILES.base));
  if (!exists(COMPOSE_FILES.production)) return { base, production: undefined, merged: undefined };
  const production = parseCompose(read(COMPOSE_FILES.production));
  return { base, production, merged: mergeCompose(untagCompose(base), production) };
}

/** Services `docker compose up` starts (those without a profile). */
export function defaultServices(config) {
  return Object.fromEntries(Object.entries(config.services ?? {}).filter(([, service]) => !service.profiles?.length));
}

/** Compose durations ("1m30s", "20s", "500ms") in seconds. */
export function composeDurationSeconds(value) {
  if (typeof value === "number") return value / 1e9; // bare numbers are nanoseconds in Compose
  const units = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  let total = 0;
  const text = String(value).trim();
  const pattern = /(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/gy;
  let match;
  let consumed = 0;
  while ((match = pattern.exec(text))) {
    total += Number(match[1]) * units[match[2]];
    consumed = pattern.lastIndex;
  }
  if (consumed !== text.length || consumed === 0) throw new Error(`not a Compose duration: ${value}`);
  return total;
}

// ---- Dockerfile -----------------------------------------------------------------------------------

/**
 * A Dockerfile as stages of instructions: line continuations joined, comments and the parser
 * directive dropped. `json` holds the parsed exec form (`CMD ["node", "server.js"]`) when there is one.
 */
export function parseDockerfile(text) {
  const instructions = [];
  let pending = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += continued ? line.replace(/\\\s*$/, " ") : line;
    if (continued) continue;
    const trimmed = pending.trim();
    pending = "";
    if (!trimmed) continue;
    const [, keyword, args] = /^(\S+)\s*(.*)$/s.exec(trimmed);
    instructions.push({ keyword: keyword.toUpperCase(), args: args.trim().replace(/\s+/g, " ") });
  }
  const globalArgs = {};
  const stages = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [, image, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ name: name ?? String(stages.length), from: image, instructions: [] });
      continue;
    }
    if (stages.length === 0) {
      if (instruction.keyword === "ARG") Object.assign(globalArgs, parseKeyValues(instruction.args));
      continue;
    }
    stages.at(-1).instructions.push({ ...instruction, json: execForm(instruction) });
  }
  return { globalArgs, stages };
}

function execForm({ keyword, args }) {
  const text = keyword === "HEALTHCHECK" ? args.replace(/^(?:--\S+\s+)*CMD\s+/, "") : args;
  if (!text.startsWith("[")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `KEY=value KEY2="v 2"` (ENV, ARG, LABEL) as an object. */
export function parseKeyValues(args) {
  const result = {};
  const pattern = /([A-Za-z_][\w.-]*)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g;
  let match;
  while ((match = pattern.exec(args))) {
    const raw = match[2] ?? "";
    result[match[1]] = raw.startsWith('"') ? JSON.parse(raw) : raw;
  }
  return result;
}

/** The stage's instructions of one kind, including those inherited from its `FROM` stages. */
export function stageInstructions(dockerfile, stageName, keyword) {
  const stage = dockerfile.stages.find((candidate) => candidate.name === stageName);
  if (!stage) return [];
  const parent = dockerfile.stages.find((candidate) => candidate.name === stage.from);
  return [
    ...(parent ? stageInstructions(dockerfile, parent.name, keyword) : []),
    ...stage.instructions.filter((instruction) => instruction.keyword === keyword),
  ];
}

/** ENV of a stage (inherited stages first, later values win). */
export function stageEnv(dockerfile, stageName) {
  return Object.assign({}, ...stageInstructions(dockerfile, stageName, "ENV").map(({ args }) => parseKeyValues(args)));
}

export function readDockerfile() {
  return parseDockerfile(read("Dockerfile"));
}

/** `.dockerignore` patterns in order (comments and blank lines dropped). */
export function readDockerignore() {
  return read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

/**
 * Whether `.dockerignore` keeps `file` out of the build context: the last matching pattern wins
 * (`!` re-includes). Patterns are matched as Docker does for the forms used here: a name or path
 * (also excluding everything below it) with `*` wildcards.
 */
export function isDockerIgnored(patterns, file) {
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const body = (negated ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, "");
    const regex = new RegExp(
      `^${body
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*")}(/.*)?$`,
    );
    if (regex.test(file)) ignored = !negated;
  }
  return ignored;
}

// ---- Platform manifests and workflows -------------------------------------------------------------

/**
 * Each deployment target and the file that configures it. Every one is optional: a fork deletes
 * those it does not deploy to, and the checks of that target skip, saying so.
 */
export const PLATFORM_FILES = {
  fly: "fly.toml",
  railway: "railway.json",
  render: "render.yaml",
  compose: COMPOSE_FILES.production,
};

/**
 * Every file of each target: its manifest first (whose presence says the target is configured),
 * then the others a fork deletes with it. Railway reads one config file per service: the web
 * service's and the background worker's.
 */
export const TARGET_FILES = {
  fly: [PLATFORM_FILES.fly],
  railway: [PLATFORM_FILES.railway, "railway.worker.json"],
  render: [PLATFORM_FILES.render],
  compose: [PLATFORM_FILES.compose],
};

export const readFly = () => parseToml(read(PLATFORM_FILES.fly));
export const readRailway = () => JSON.parse(read(PLATFORM_FILES.railway));
/** The Railway worker service's config file, undefined when absent (a rule then says so). */
export const readRailwayWorker = () =>
  exists(TARGET_FILES.railway[1]) ? JSON.parse(read(TARGET_FILES.railway[1])) : undefined;
export const readRender = () => parseYaml(read(PLATFORM_FILES.render));

/** The platform manifests this checkout has (fly, railway, render), parsed; absent ones are left out. */
export function readPlatformManifests() {
  const readers = { fly: readFly, railway: readRailway, render: readRender };
  return Object.fromEntries(
    Object.entries(readers)
      .filter(([platform]) => exists(PLATFORM_FILES[platform]))
      .map(([platform, reader]) => [platform, reader()]),
  );
}

/** Every GitHub Actions workflow file, by path relative to the project root. */
export function readWorkflows() {
  const dir = path.join(root, ".github", "workflows");
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .sort()
      .map((file) => {
        const relative = path.join(".github", "workflows", file);
        return [relative, { text: read(relative), data: parseYaml(read(relative)) }];
      }),
  );
}

/** Fly durations: a number is milliseconds; strings take a unit ("5s", "1m30s"). In seconds. */
export function flyDurationSeconds(value) {
  if (typeof value === "number") return value / 1000;
  return composeDurationSeconds(value);
}

/** The app routes under src/app, as URL paths (route groups and private folders left out). */
export function appRoutes() {
  const base = path.join(root, "src", "app");
  const routes = new Set();
  const visit = (dir, segments) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name.startsWith("_") || entry.name.startsWith("@")) continue;
        const isGroup = entry.name.startsWith("(") && entry.name.endsWith(")");
        visit(path.join(dir, entry.name), isGroup ? segments : [...segments, entry.name]);
      } else if (/^(route|page)\.(ts|tsx|js|jsx)$/.test(entry.name)) {
        routes.add(`/${segments.join("/")}`);
      }
    }
  };
  if (existsSync(base)) visit(base, []);
  return routes;
}

// ---- The database image and its backup configuration ---------------------------------------------

/** The compose stack's database image: built from db/ (its context) with db/postgres/Dockerfile. */
export const DATABASE_IMAGE = { context: "db", dockerfile: "postgres/Dockerfile" };

export const readDatabaseDockerfile = () =>
  parseDockerfile(read(path.join(DATABASE_IMAGE.context, DATABASE_IMAGE.dockerfile)));

/** Every file of the database image's build context, relative to it. */
/**
 * The TypeScript files the image's build context keeps (next build type-checks every one of them),
 * with their text: { "scripts/dev.ts": "..." }. Directories `.dockerignore` excludes are not entered.
 */
export function contextTypeScriptSources() {
  const patterns = readDockerignore();
  const sources = {};
  const walk = (directory) => {
    for (const entry of readdirSync(path.join(root, directory), { withFileTypes: true })) {
      const file = directory ? `${directory}/${entry.name}` : entry.name;
      if (isDockerIgnored(patterns, file)) continue;
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|tsx|mts)$/.test(entry.name)) sources[file] = readFileSync(path.join(root, file), "utf8");
    }
  };
  walk("");
  return sources;
}

export function databaseContextFiles() {
  const base = path.join(root, DATABASE_IMAGE.context);
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(base, path.join(entry.parentPath, entry.name)));
}

/** pgBackRest's INI format: { section: { option: value } } (comments and blank lines dropped). */
export function parseIni(text) {
  const sections = {};
  let current;
  for (const line of text.split("\n").map((raw) => raw.trim())) {
    if (!line || line.startsWith("#")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]] ??= {};
      continue;
    }
    const [key, ...value] = line.split("=");
    if (current) current[key.trim()] = value.join("=").trim();
  }
  return sections;
}

/** postgresql.conf: settings (quotes removed, later lines win) and include directives in order. */
export function parsePostgresqlConf(text) {
  const settings = {};
  const includes = [];
  for (const line of text.split("\n").map((raw) => raw.replace(/(^|\s)#.*$/, "").trim())) {
    const match = /^([\w.]+)\s*=?\s*(.*)$/.exec(line);
    if (!match) continue;
    const value = match[2].replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
    if (["include", "include_if_exists", "include_dir"].includes(match[1]))
      includes.push({ kind: match[1], path: value });
    else settings[match[1]] = value;
  }
  return { settings, includes };
}

/** The files that configure pgBackRest and WAL archiving (db/pgbackrest/, db/postgres/). */
export function readBackupConfig() {
  return {
    pgbackrest: parseIni(read("db/pgbackrest/pgbackrest.conf")),
    offsite: parseIni(read("db/pgbackrest/offsite/s3.conf")),
    postgresql: parsePostgresqlConf(read("db/postgres/postgresql.conf")),
    archiving: parsePostgresqlConf(read("db/postgres/archiving.conf")),
    schedule: read("db/pgbackrest/schedule"),
    entrypoint: read("db/postgres/entrypoint.sh"),
  };
}
