import path from "node:path";

/**
 * The bare baseline: Next's defaults plus standalone output, nothing of Slipway's. It resolves
 * next, react and postgres from the repository's node_modules, so it runs the same versions.
 */
const root = path.resolve(import.meta.dirname, "../..");

const config = {
  output: "standalone",
  outputFileTracingRoot: root,
  turbopack: { root },
};

export default config;
