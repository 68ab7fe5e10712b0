import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs),
  );
}

/** The bundled migrator, rebuilt when older than its sources (npm run build makes it too). */
export function ensureBundledMigrator(): void {
  const bundle = path.join(root, "dist/db/migrate.mjs");
  const sources = Math.max(
    statSync(path.join(root, "db/migrate.ts")).mtimeMs,
    newestMtime(path.join(root, "db/migrations")),
  );
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return;
  const result = spawnSync(process.execPath, ["scripts/build-migrator.mjs"], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`build:migrator failed:\n${result.stderr}`);
}
