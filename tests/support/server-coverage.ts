import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mergeProcessCovs, type ProcessCov, type ScriptCov } from "@bcoe/v8-coverage";
import { encodedMap, FlattenMap } from "@jridgewell/trace-mapping";
import astV8ToIstanbul from "ast-v8-to-istanbul";
import libCoverage, { type CoverageMap } from "istanbul-lib-coverage";
import { parseAstAsync } from "vitest/node";

/**
 * Coverage of the production server the integration tests start as a child process
 * (tests/support/standalone-server.ts). With `npm run test:coverage` (or `npm test -- --coverage`),
 * vitest.config.ts names a directory in SLIPWAY_SERVER_COVERAGE_DIR; each server gets it as
 * NODE_V8_COVERAGE, and Node writes its V8 coverage there when it exits (a server killed with
 * SIGKILL writes nothing). After the run, tests/support/coverage-provider.ts adds what
 * serverCoverageMap() makes of it to vitest's own coverage, before the report and the thresholds.
 *
 * The servers run a copy of the build outside the tree; the build's source maps (Turbopack writes
 * them, sectioned, beside each server chunk in .next/server) map the chunks back to src/ and db/.
 * Chunks are found by their path under .next/server, and the bundled entry files (server.js: the
 * custom server and the request pipeline) by their name beside a .next folder, so every copy of the
 * build counts; a chunk the current build does not have (another release's) is left out.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const BUILD_SERVER = path.join(ROOT, ".next", "server");
const SERVER_PATH = `${path.sep}.next${path.sep}server${path.sep}`;
const STANDALONE = path.join(ROOT, ".next", "standalone");
/** The process entry files scripts/build-server.mjs bundles (with source maps) into the standalone root. */
const BUNDLED_ENTRIES = new Set(["server.js", "worker.mjs"]);

/** NODE_V8_COVERAGE for a server process, when coverage is being measured. */
export function serverCoverageEnv(): Record<string, string> {
  const dir = process.env.SLIPWAY_SERVER_COVERAGE_DIR;
  return dir ? { NODE_V8_COVERAGE: dir } : {};
}

const codeLengths = new Map<string, number>();
const codeLength = (file: string) => {
  if (!codeLengths.has(file)) codeLengths.set(file, readFileSync(file, "utf8").length);
  return codeLengths.get(file)!;
};

/**
 * The build's file for a chunk of any copy of it, or undefined when the build has no such chunk,
 * or has one of that name with other code (another release's build: its offsets would land on
 * the wrong lines). The script's top-level function spans the whole script, so its length tells.
 */
function buildFileOf(script: ScriptCov): string | undefined {
  if (!script.url.startsWith("file://")) return undefined;
  const file = fileURLToPath(script.url);
  const at = file.indexOf(SERVER_PATH);
  const isBundledEntry = BUNDLED_ENTRIES.has(path.basename(file)) && existsSync(path.join(path.dirname(file), ".next"));
  if (at < 0 && !isBundledEntry) return undefined;
  const inBuild = isBundledEntry
    ? path.join(STANDALONE, path.basename(file))
    : path.join(BUILD_SERVER, file.slice(at + SERVER_PATH.length));
  if (!existsSync(inBuild) || !existsSync(`${inBuild}.map`)) return undefined;
  const length = Math.max(0, ...script.functions.flatMap((fn) => fn.ranges.map((range) => range.endOffset)));
  return length === codeLength(inBuild) ? inBuild : undefined;
}

/** The chunk's source map, flattened, when it maps any of the project's own sources (memoised). */
const projectMaps = new Map<string, ReturnType<typeof encodedMap> | undefined>();
function projectSourceMap(file: string) {
  if (!projectMaps.has(file)) {
    const raw = JSON.parse(readFileSync(`${file}.map`, "utf8"));
    const sourceMap = raw.sections ? encodedMap(new FlattenMap(raw, `${file}.map`)) : raw;
    const own = (sourceMap.sources as (string | null)[]).some((source) => {
      if (!source) return false;
      const absolute = path.resolve(path.dirname(file), source);
      return !absolute.includes(`${path.sep}node_modules${path.sep}`) && absolute.startsWith(ROOT);
    });
    projectMaps.set(file, own ? sourceMap : undefined);
  }
  return projectMaps.get(file);
}

/**
 * The servers' coverage as an istanbul map of the project's source files, limited to
 * `isIncluded` (vitest's coverage include/exclude); the raw files are removed afterwards.
 */
export async function serverCoverageMap(dir: string, isIncluded: (file: string) => boolean): Promise<CoverageMap> {
  const map = libCoverage.createCoverageMap({});
  if (!existsSync(dir)) return map;
  let merged: ProcessCov = { result: [] };
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith(".json"))) {
    let coverage: ProcessCov;
    try {
      coverage = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as ProcessCov;
    } catch {
      continue; // a file a process was writing when it was killed
    }
    // Only the chunks that hold the project's code: the rest is dependencies and Next itself.
    const result = coverage.result.flatMap((script) => {
      const file = buildFileOf(script);
      return file && projectSourceMap(file) ? [{ ...script, url: pathToFileURL(file).href }] : [];
    });
    merged = mergeProcessCovs([merged, { result }]);
  }
  for (const script of merged.result) {
    const file = fileURLToPath(script.url);
    const sourceMap = projectSourceMap(file)!;
    const code = readFileSync(file, "utf8");
    const converted = await astV8ToIstanbul({
      code,
      sourceMap,
      ast: await parseAstAsync(code),
      coverage: { functions: script.functions, url: script.url },
      wrapperLength: 0,
    });
    map.merge(converted);
  }
  map.filter((file) => existsSync(file) && isIncluded(file));
  rmSync(dir, { recursive: true, force: true });
  return map;
}
