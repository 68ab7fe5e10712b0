import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** Everything the production build reads (`npm run build`): a change to any of them requires a new build. */
export const BUILD_INPUTS = [
  "src",
  "db",
  "public",
  "next.config.ts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "sentry.server.config.ts",
  "sentry.edge.config.ts",
  "sentry.client.config.ts",
  "scripts/set-aside-source-maps.mjs",
  "scripts/build-server.mjs",
  "scripts/app-routes.mjs",
  "scripts/empty-module.mjs",
  "scripts/build-migrator.mjs",
];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((child) => newestMtime(path.join(entry, child))));
}

/**
 * Runs `npm run build` unless the standalone build is newer than every build input, so the test
 * and smoke commands work on a fresh clone and cost nothing when the build is current.
 * SLIPWAY_SKIP_BUILD=1 trusts whatever build exists.
 */
export function ensureProductionBuild(): void {
  const marker = path.join(root, ".next", "standalone", "server.js");
  const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  if (process.env.SLIPWAY_SKIP_BUILD === "1" && builtAt > 0) return;
  const newest = Math.max(
    ...BUILD_INPUTS.map((entry) => path.join(root, entry))
      .filter(existsSync)
      .map(newestMtime),
  );
  if (builtAt > newest) return;
  console.log("Building the production server (npm run build)…");
  const result = spawnSync("npm", ["run", "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("npm run build failed");
}
