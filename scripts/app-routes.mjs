/**
 * The app's route templates ("/", "/projects/[id]", "/sign-in/[[...sign-in]]", "/robots.txt"),
 * listed from src/app and public/ by Next's documented file conventions: a folder holding `page` or
 * `route` is a route; route groups "(name)" and private folders "_name" add no segment; metadata
 * files (icon.svg, opengraph-image…) are routes of their own; files in public/ are served as is.
 * The build inlines the list into the server (scripts/build-server.mjs) for the `route` label of
 * logs and metrics, so no raw URL becomes a label.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

const ROUTE_FILE = /^(page|route)\.(tsx|ts|jsx|js|mdx)$/;
const METADATA_FILE =
  /^(icon|apple-icon|favicon|opengraph-image|twitter-image|sitemap|robots|manifest)\d*\.(ico|jpg|jpeg|png|svg|gif|xml|txt|json|webmanifest|tsx|ts|js)$/;

function segmentOf(folder) {
  if (/^\(.+\)$/.test(folder) || folder.startsWith("@")) return undefined;
  return folder;
}

function walk(directory, segments, templates) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name.startsWith("_")) continue;
      const segment = segmentOf(entry.name);
      walk(path.join(directory, entry.name), segment ? [...segments, segment] : segments, templates);
    } else if (ROUTE_FILE.test(entry.name)) {
      templates.add(`/${segments.join("/")}`);
    } else if (METADATA_FILE.test(entry.name)) {
      const name = entry.name.replace(/\.(tsx|ts|js)$/, "");
      templates.add(`/${[...segments, name].join("/")}`);
    }
  }
}

function publicFiles(directory, prefix, templates) {
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const next = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) publicFiles(path.join(directory, entry.name), next, templates);
    else templates.add(next);
  }
}

/** The sorted route templates of the project at `root`. */
export function appRouteTemplates(root) {
  const templates = new Set();
  walk(path.join(root, "src", "app"), [], templates);
  publicFiles(path.join(root, "public"), "", templates);
  return [...templates].sort();
}
