#!/usr/bin/env node
/**
 * Bundles the server process (src/server.ts, ADR 0063) into the standalone output as `server.js`,
 * in place of the server Next generates, after `next build`, and the worker process (src/worker.ts,
 * ADR 0064) beside it as `worker.mjs`, with the same settings. What the standalone output already
 * ships (next, react, pino, ioredis…) stays external; the rest of our code and its dependencies are
 * inlined. Next's generated server is kept beside the build as .next/next-generated-server.js, for
 * the test that pins what our server takes from it (docs/framework-contracts.md).
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { appRouteTemplates } from "./app-routes.mjs";

const root = path.resolve(import.meta.dirname, "..");
const standalone = path.join(root, ".next", "standalone");
const serverFile = path.join(standalone, "server.js");
const generated = path.join(root, ".next", "next-generated-server.js");

if (!existsSync(serverFile)) throw new Error("No standalone build: run `next build` first.");
if (readFileSync(serverFile, "utf8").includes("startServer(")) renameSync(serverFile, generated);

// The values next.config.ts fixes into the build (its `env`), so the server reports the same release.
const { config } = JSON.parse(readFileSync(path.join(standalone, ".next", "required-server-files.json"), "utf8"));
const buildValues = Object.fromEntries(
  Object.entries(config.env ?? {})
    .filter(([name]) => name.startsWith("SLIPWAY_"))
    .map(([name, value]) => [`process.env.${name}`, JSON.stringify(value)]),
);

/** What both processes share: Node 20 ESM, our code inlined, what the standalone output ships kept external. */
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  // server.js.map beside it: coverage of the production servers the tests start maps back to src/
  // (tests/support/server-coverage.ts), as it does for Next's own chunks. Without the sources' text.
  sourcemap: true,
  sourcesContent: false,
  tsconfig: path.join(root, "tsconfig.json"),
  // What the standalone output ships (Next traced it for its own server and routes): one copy each.
  // pg-boss is a server external package (next.config.ts), so its copy is there too.
  external: ["next", "next/*", "react", "react-dom", "pino", "@sentry/nextjs", "pg-boss"],
  alias: { "server-only": path.join(root, "scripts", "empty-module.mjs") },
  // Bundled CommonJS code may call require() for Node built-ins. The standalone server is the
  // production server, whatever the environment says (as Next's generated server.js does).
  banner: {
    js: [
      "import { createRequire as __slipwayCreateRequire } from 'node:module';",
      "const require = __slipwayCreateRequire(import.meta.url);",
      "process.env.NODE_ENV = 'production';",
    ].join("\n"),
  },
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: [path.join(root, "src", "server.ts")],
  outfile: serverFile,
  define: { SLIPWAY_ROUTE_TEMPLATES: JSON.stringify(appRouteTemplates(root)), ...buildValues },
});
console.log(`Server bundled: ${path.relative(process.cwd(), serverFile)}`);

/**
 * The worker runs no Next and no request: what reaches Next, React or Clerk came through a
 * request-side module (auth, routes, components), and `next/*` does not even resolve from an ES
 * module there. Fail the build naming the importer instead of shipping a worker that cannot start.
 * (@sentry/nextjs stays external: sentry-server.ts imports it only in the web server's start.)
 */
const requestSideOnly = {
  name: "worker-imports-no-request-code",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(next|react|react-dom|@clerk\/nextjs)(\/|$)/ }, (args) => ({
      errors: [{ text: `the worker must not import ${args.path} (imported by ${path.relative(root, args.importer)})` }],
    }));
  },
};

const workerFile = path.join(standalone, "worker.mjs");
await build({
  ...common,
  entryPoints: [path.join(root, "src", "worker.ts")],
  outfile: workerFile,
  define: buildValues,
  plugins: [requestSideOnly],
});
console.log(`Worker bundled: ${path.relative(process.cwd(), workerFile)}`);
