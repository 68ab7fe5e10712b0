#!/usr/bin/env node
/**
 * Bundles db/migrate.ts into dist/db/migrate.mjs (drizzle-orm and postgres inlined) and copies
 * db/migrations beside it, so `node dist/db/migrate.mjs` runs with nothing but Node. The container
 * image ships the same pair as /app/db/migrate.mjs and /app/db/migrations.
 */
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "dist", "db");

rmSync(outDir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, "db", "migrate.ts")],
  outfile: path.join(outDir, "migrate.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  // Bundled CommonJS code may call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __slipwayCreateRequire } from 'node:module';\nconst require = __slipwayCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
cpSync(path.join(root, "db", "migrations"), path.join(outDir, "migrations"), { recursive: true });
console.log(`Migrator bundled: ${path.relative(process.cwd(), path.join(outDir, "migrate.mjs"))} (+ migrations/)`);
