/**
 * The server process: `node server.js` in the standalone output and the image is this file, bundled
 * by scripts/build-server.mjs in place of the server Next generates (ADR 0063). It owns the HTTP
 * server: the request pipeline (src/lib/http) runs in front of Next for every request, from the
 * route table (src/routes.ts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { captureStartupContext, releaseAbortReasonFrames } from "@/lib/memory";
import { validateConfigAtStartup } from "@/lib/env";
import { startHttpServer } from "@/lib/http/server";
import { routes } from "./routes";

/** The app's route templates, listed from src/app by the build (scripts/build-server.mjs); absent in development. */
declare const SLIPWAY_ROUTE_TEMPLATES: readonly string[] | undefined;

// First: nothing created before these runs keeps a finished request alive (src/lib/memory).
captureStartupContext();
releaseAbortReasonFrames();
validateConfigAtStartup();

const dev = process.argv.includes("--dev");
// The standalone server runs from its own directory (Next's generated server.js does the same).
const dir = dev ? process.cwd() : path.dirname(fileURLToPath(import.meta.url));
if (!dev) process.chdir(dir);

await startHttpServer({
  routes,
  routeTemplates: typeof SLIPWAY_ROUTE_TEMPLATES === "undefined" ? undefined : SLIPWAY_ROUTE_TEMPLATES,
  dir,
  dev,
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
