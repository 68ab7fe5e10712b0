#!/usr/bin/env node
/**
 * Lays out a runnable standalone server exactly as the Dockerfile does: `.next/standalone` plus
 * `.next/static` and `public` beside server.js.
 *
 *   node scripts/prepare-standalone.mjs            # in place, in .next/standalone (npm start)
 *   node scripts/prepare-standalone.mjs /tmp/app   # a copy outside the project tree (tests)
 *
 * Tests use a copy outside the tree: inside it, Node falls back to the project's node_modules and
 * hides files missing from the trace.
 */
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const standalone = path.join(root, ".next", "standalone");

export function prepareStandalone(target = standalone) {
  if (!existsSync(path.join(standalone, "server.js"))) {
    throw new Error("No standalone build: run `npm run build` first.");
  }
  if (path.resolve(target) !== standalone) {
    rmSync(target, { recursive: true, force: true });
    cpSync(standalone, target, { recursive: true, verbatimSymlinks: true });
  }
  rmSync(path.join(target, ".next", "static"), { recursive: true, force: true });
  cpSync(path.join(root, ".next", "static"), path.join(target, ".next", "static"), { recursive: true });
  if (existsSync(path.join(root, "public"))) {
    cpSync(path.join(root, "public"), path.join(target, "public"), { recursive: true });
  }
  return target;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = prepareStandalone(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`Standalone server ready in ${path.relative(process.cwd(), target) || "."}`);
}
