#!/usr/bin/env node
/**
 * After `next build`: moves the browser's source maps out of the served tree. The build writes them
 * beside every chunk in .next/static (productionBrowserSourceMaps, turned on by @sentry/nextjs), each
 * chunk and its map carrying the same debug ID. With SENTRY_AUTH_TOKEN, Sentry's build plugin has
 * already uploaded and deleted them; without it they are kept in .next/browser-source-maps/ (same
 * layout), for a later upload (`npx @sentry/cli sourcemaps upload .next/browser-source-maps`, matched
 * by debug ID) and for reading a minified stack by hand. Neither the standalone output nor the image
 * copies that folder, and the chunks lose their `sourceMappingURL` comment, so no browser asks for a map.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const staticDir = path.join(root, ".next", "static");
const keptDir = path.join(root, ".next", "browser-source-maps");

// A chunk's (JavaScript) or stylesheet's comment naming its map, on a line of its own among the last
// lines (the debug ID comment may follow it, and stays).
const SOURCE_MAPPING_URL = /^(?:\/\/[#@] sourceMappingURL=\S+|\/\*[#@] sourceMappingURL=\S+\s*\*\/)\s*$/;

function withoutSourceMappingUrl(text) {
  const lines = text.split("\n");
  const tail = Math.max(0, lines.length - 3);
  return lines.filter((line, index) => index < tail || !SOURCE_MAPPING_URL.test(line)).join("\n");
}

rmSync(keptDir, { recursive: true, force: true });
let moved = 0;
for (const entry of readdirSync(staticDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const file = path.join(entry.parentPath, entry.name);
  if (entry.name.endsWith(".map")) {
    const target = path.join(keptDir, path.relative(staticDir, file));
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(file, target);
    moved++;
  } else if (/\.(js|mjs|css)$/.test(entry.name)) {
    const text = readFileSync(file, "utf8");
    const stripped = withoutSourceMappingUrl(text);
    if (stripped !== text) writeFileSync(file, stripped);
  }
}
console.log(
  moved > 0
    ? `Browser source maps: ${moved} set aside in ${path.relative(root, keptDir)}/ (not served, not in the image).`
    : "Browser source maps: none in .next/static (uploaded and deleted by the Sentry build plugin).",
);
