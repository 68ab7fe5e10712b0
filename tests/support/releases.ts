import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BUILD_INPUTS } from "../../scripts/production-build";
import { ensureProductionBuild, prepareStandaloneCopy } from "./standalone-server";

/**
 * Releases for the multi-process tests: release N is the project's production build (.next), and
 * release N+1 is a second real production build of the same source with N's server-actions key, a
 * different commit (so a different deploymentId) and one extra expand-only migration
 * (tests/fixtures/migrations/next-release/). N+1 is built once into .releases/<id>/ (outside .next,
 * from a copy of the source) and reused by every test and the rehearsal until N is rebuilt.
 */

const root = path.resolve(import.meta.dirname, "../..");
const RELEASES_DIR = path.join(root, ".releases");
const NEXT_RELEASE_FIXTURES = path.join(root, "tests/fixtures/migrations/next-release");

export interface Release {
  /** The release identifier (COMMIT_SHA): /api/health reports it as `commit`. */
  id: string;
  /** A runnable standalone server (server.js), outside the project tree. */
  dir: string;
  /** The migrations this release ships (drizzle folder with meta/_journal.json). */
  migrationsDir: string;
  /** The bundled migrator (`node <migrator> --migrations <dir>`), as the image's release step runs it. */
  migrator: string;
}

const buildIdOf = (distDir: string) => readFileSync(path.join(distDir, "BUILD_ID"), "utf8").trim();

/** The server-actions key a build embedded (plaintext in the build output: ADR 0021). */
export function serverActionsKeyOf(distDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server/server-reference-manifest.json"), "utf8")) as {
    encryptionKey?: string;
  };
  if (!manifest.encryptionKey) throw new Error(`${distDir}: no encryptionKey in server-reference-manifest.json`);
  return manifest.encryptionKey;
}

let current: Release | undefined;

/** Standalone copies this process made in the temp dir: removed when it exits. */
const copies: string[] = [];
process.once("exit", () => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** Release N: the project's own production build (built first when stale). */
export function currentRelease(): Release {
  if (current && existsSync(current.dir)) return current;
  ensureProductionBuild();
  const dir = prepareStandaloneCopy();
  copies.push(dir);
  current = {
    id: `n-${buildIdOf(path.join(root, ".next")).slice(0, 12)}`,
    dir,
    migrationsDir: path.join(root, "db/migrations"),
    migrator: path.join(root, "dist/db/migrate.mjs"),
  };
  return current;
}

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/**
 * Writes `target` = a copy of `baseDir` (a drizzle migrations folder) plus every fixture migration
 * in tests/fixtures/migrations/next-release, appended to the journal after the last one. Returns
 * the tags added.
 */
export function writeNextReleaseMigrations(target: string, baseDir = path.join(root, "db/migrations")): string[] {
  rmSync(target, { recursive: true, force: true });
  cpSync(baseDir, target, { recursive: true });
  const journalFile = path.join(target, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as Journal;
  const added: string[] = [];
  for (const fixture of readdirSync(NEXT_RELEASE_FIXTURES)
    .filter((file) => file.endsWith(".sql"))
    .sort()) {
    const last = journal.entries.at(-1)!;
    const idx = last.idx + 1;
    const tag = `${String(idx).padStart(4, "0")}_${fixture.replace(/\.sql$/, "")}`;
    cpSync(path.join(NEXT_RELEASE_FIXTURES, fixture), path.join(target, `${tag}.sql`));
    journal.entries.push({ ...last, idx, tag, when: last.when + 1000 });
    added.push(tag);
  }
  writeFileSync(journalFile, `${JSON.stringify(journal, null, 2)}\n`);
  return added;
}

/** A temporary folder with N+1's migrations (db/migrations + the fixtures), removed by the caller. */
export function nextReleaseMigrations(): string {
  const dir = path.join(tmpdir(), `slipway-next-migrations-${randomBytes(4).toString("hex")}`);
  writeNextReleaseMigrations(dir);
  return dir;
}

/**
 * Release N+1 (see the top of this file). Builds it when .releases/<id> is missing or incomplete
 * (about a minute: one `next build`), else reuses it. Run the calling test under the heavy-work lock.
 */
export function nextRelease(): Release {
  currentRelease();
  const distN = path.join(root, ".next");
  const id = `n1-${buildIdOf(distN).slice(0, 12)}`;
  const dir = path.join(RELEASES_DIR, id);
  const complete = path.join(dir, ".complete");
  if (!existsSync(complete)) buildRelease(dir, { id, serverActionsKey: serverActionsKeyOf(distN) });
  const runnable = path.join(tmpdir(), `slipway-release-${id}-${randomBytes(4).toString("hex")}`);
  cpSync(path.join(dir, ".next/standalone"), runnable, { recursive: true, verbatimSymlinks: true });
  copies.push(runnable);
  return {
    id,
    dir: runnable,
    migrationsDir: path.join(dir, "db/migrations"),
    migrator: path.join(dir, "dist/db/migrate.mjs"),
  };
}

function buildRelease(dir: string, options: { id: string; serverActionsKey: string }): void {
  const lock = `${dir}.lock`;
  mkdirSync(RELEASES_DIR, { recursive: true });
  waitForLock(lock);
  try {
    if (existsSync(path.join(dir, ".complete"))) return;
    // Only one N+1 is kept: older ones belong to builds of N that no longer exist.
    for (const entry of readdirSync(RELEASES_DIR)) {
      if (!entry.endsWith(".lock")) rmSync(path.join(RELEASES_DIR, entry), { recursive: true, force: true });
    }
    mkdirSync(dir, { recursive: true });
    for (const entry of BUILD_INPUTS) {
      if (existsSync(path.join(root, entry)))
        cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    writeNextReleaseMigrations(path.join(dir, "db/migrations"));
    // Hard links: a second node_modules in seconds, without a second download.
    const linked = spawnSync("cp", ["-al", path.join(root, "node_modules"), path.join(dir, "node_modules")]);
    if (linked.status !== 0)
      cpSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), { recursive: true });

    console.log(`Building release ${options.id} (second production build, .releases/${options.id})…`);
    const started = Date.now();
    const build = spawnSync("npm", ["run", "build"], {
      cwd: dir,
      stdio: "inherit",
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        COMMIT_SHA: options.id,
        NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: options.serverActionsKey,
      },
    });
    if (build.status !== 0) throw new Error(`the build of release ${options.id} failed`);
    // Laid out as the Dockerfile does: static files and public beside server.js.
    const standalone = path.join(dir, ".next/standalone");
    cpSync(path.join(dir, ".next/static"), path.join(standalone, ".next/static"), { recursive: true });
    cpSync(path.join(dir, "public"), path.join(standalone, "public"), { recursive: true });
    writeFileSync(path.join(dir, ".complete"), `${Math.round((Date.now() - started) / 1000)} s\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock directory (mkdir is atomic): a parallel test waits for the build instead of repeating it. */
function waitForLock(lock: string): void {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 15 * 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      spawnSync("sleep", ["1"]);
    }
  }
}
