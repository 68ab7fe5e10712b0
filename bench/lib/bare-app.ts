import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The bare Next.js baseline (bench/bare): built with the repository's own next, react and postgres
 * (so the versions are Slipway's), rebuilt only when its inputs change, and run from a copy outside
 * the tree, as Slipway's standalone server is.
 */

const root = path.resolve(import.meta.dirname, "../..");
const bareDir = path.join(root, "bench", "bare");
const buildDir = path.join(bareDir, ".next");
const inputsFile = path.join(buildDir, "bench-inputs.sha256");
/** The tracing root is the repository, so the standalone server sits at its relative path. */
const standaloneServerDir = path.join(buildDir, "standalone", "bench", "bare");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.name !== ".next" && entry.name !== "node_modules")
    .flatMap((entry) => {
      const full = path.join(directory, entry.name);
      return entry.isDirectory() ? sourceFiles(full) : [full];
    })
    .sort();
}

/** What the build depends on: the fixture's files and the installed versions (the lockfile). */
function inputsDigest(): string {
  const hash = createHash("sha256");
  for (const file of [...sourceFiles(bareDir), path.join(root, "package-lock.json")]) {
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Builds bench/bare unless the last build was made from the same inputs. */
export function ensureBareBuild(): void {
  const digest = inputsDigest();
  const built = existsSync(path.join(standaloneServerDir, "server.js")) && existsSync(inputsFile);
  if (built && readFileSync(inputsFile, "utf8").trim() === digest) return;
  console.log("Building the bare Next.js baseline (bench/bare)…");
  const result = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build", bareDir], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build of bench/bare failed");
  writeFileSync(inputsFile, `${digest}\n`);
}

/** A runnable copy outside the tree: the standalone server plus its static files. */
export function prepareBareCopy(): string {
  const target = path.join(tmpdir(), `slipway-bench-bare-${randomBytes(4).toString("hex")}`);
  cpSync(standaloneServerDir, target, { recursive: true, verbatimSymlinks: true });
  // The traced node_modules sit at the tracing root (the repository), above the server.
  const tracedModules = path.join(buildDir, "standalone", "node_modules");
  if (existsSync(tracedModules) && !existsSync(path.join(target, "node_modules"))) {
    cpSync(tracedModules, path.join(target, "node_modules"), { recursive: true, verbatimSymlinks: true });
  }
  cpSync(path.join(buildDir, "static"), path.join(target, ".next", "static"), { recursive: true });
  return target;
}

export function removeCopy(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}
