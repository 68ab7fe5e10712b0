/**
 * Preloaded into a server under test (NODE_OPTIONS=--require …/module-spy.cjs): prints the first
 * load of each package under node_modules/@sentry/ as one `[module-spy] load @sentry/NAME` line on
 * stderr, so a test can prove the Sentry SDK is never loaded when no DSN is configured. (Next bundles
 * most of the SDK into server chunks, but those chunks require its external packages, e.g.
 * @sentry/core and @sentry/server-runtime-injection, the moment they are evaluated.)
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload for node --require
const Module = require("node:module");

const seen = new Set();
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  const exported = originalLoad.apply(this, [request, parent, isMain]);
  try {
    const filename = Module._resolveFilename(request, parent, isMain);
    const match = /node_modules\/(@sentry\/[^/]+)\//.exec(filename);
    if (match && !seen.has(match[1])) {
      seen.add(match[1]);
      process.stderr.write(`[module-spy] load ${match[1]}\n`);
    }
  } catch {
    // built-ins and unresolvable requests: not ours to report
  }
  return exported;
};
