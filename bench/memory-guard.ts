/**
 * `npm run bench:memory`: the production server, at the heap limit the image gives a 512 MB VM,
 * serves enough pages rendered per request to exhaust that heap if finished requests were retained
 * again (ADR 0061: without its fix Next 16.5's server died after 5 339 of 20 000 requests), and must
 * stay up, answer them, and keep its resident memory under the bound. Run by .ci/run, so a React or
 * Next upgrade that brings the retention back fails CI (docs/framework-contracts.md, contract 6).
 *
 *   npm run bench:memory                         # 6 000 requests, RSS bound 256 MB
 *   npm run bench:memory -- --requests=20000
 *   npm run bench:memory -- --control            # the same run without the fix: it must fail
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "../src/lib/auth/providers/local/session-token";
import { migrateDatabase } from "../tests/support/migrate";
import { startPostgres } from "../tests/support/postgres";
import { ensureProductionBuild, prepareStandaloneCopy } from "../tests/support/standalone-server";
import { adminSql, createTenant } from "../tests/support/tenants";

import { assertWrkInstalled, runLoad, type LoadSpec } from "./lib/load";
import { sampleEvery, summarizeRss } from "./lib/memory";
import { imageHeapLimit, startServer } from "./lib/servers";

/** Pages rendered per request (each a React Flight render, what was retained), the cheapest first. */
const MIX = ["/sign-in", "/status", "/sign-in", "/projects"];

/** The control: the copy's server without the fix (its one call at startup removed). */
function withoutRetentionFix(dir: string): void {
  const file = path.join(dir, "server.js");
  const code = readFileSync(file, "utf8");
  const call = /^releaseAbortReasonFrames\(\);$/m;
  if (!call.test(code)) throw new Error("the server bundle no longer calls releaseAbortReasonFrames() at startup");
  writeFileSync(file, code.replace(call, "// control: the retention fix is off"));
  console.log("control run: the retention fix is off");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "6000" },
      "max-rss-mb": { type: "string", default: "256" },
      control: { type: "boolean", default: false },
    },
  });
  const requests = Number(values.requests);
  const maxRssMb = Number(values["max-rss-mb"]);
  assertWrkInstalled();
  ensureProductionBuild();
  const heap = imageHeapLimit();
  const work = mkdtempSync(path.join(tmpdir(), "slipway-memory-guard-"));
  const dir = prepareStandaloneCopy();
  if (values.control) withoutRetentionFix(dir);
  const postgres = await startPostgres();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await migrateDatabase(postgres.url);
    const admin = adminSql(postgres.url);
    const tenant = await createTenant(admin, { projects: Array.from({ length: 20 }, (_, index) => `P${index}`) });
    await admin.end();
    const secret = randomBytes(32).toString("hex");
    const cookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken(
      { userId: tenant.adminId, tenantId: tenant.tenantId },
      secret,
    )}`;
    server = await startServer({
      name: "slipway",
      dir,
      readyPath: "/health/ready",
      env: {
        DATABASE_URL: postgres.url,
        NODE_OPTIONS: heap.flag,
        AUTH_MODE: "local",
        SESSION_SECRET: secret,
        LOG_LEVEL: "warn",
        // One load generator is one client address and one caller: let it use every slot.
        MAX_IN_FLIGHT_PER_CLIENT: "100",
        MAX_CONCURRENT_PER_CALLER: "100",
      },
      logDir: work,
    });
    const spec: LoadSpec = { url: server.url, method: "GET", paths: MIX, headers: { Cookie: cookie }, seconds: 3 };
    const warm = await runLoad(spec, work);
    const seconds = Math.min(600, Math.ceil((requests / Math.max(warm.requestsPerSecond, 1)) * 1.25) + 2);
    const done = sampleEvery(250, server.rssMb);
    const result = await runLoad({ ...spec, seconds, requests }, work);
    const rss = summarizeRss(done());
    const failedRequests = result.errors + result.non2xx3xx;
    const problems = [
      server.exitReason(),
      failedRequests > result.requests * 0.01 ? `${failedRequests} of ${result.requests} requests failed` : undefined,
      result.requests < requests * 0.95 ? `only ${result.requests} of ${requests} requests were sent` : undefined,
      rss.maxMb > maxRssMb ? `RSS reached ${rss.maxMb} MB (bound ${maxRssMb} MB)` : undefined,
    ].filter((problem): problem is string => Boolean(problem));
    const report = { date: new Date().toISOString(), heap: heap.flag, requests: result.requests, ...rss, problems };
    const results = path.join(import.meta.dirname, "results");
    mkdirSync(results, { recursive: true });
    writeFileSync(
      path.join(results, values.control ? "memory-guard-control.json" : "memory-guard.json"),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    console.log(
      `memory guard: ${result.requests} requests at ${result.requestsPerSecond} req/s with ${heap.flag}: ` +
        `RSS ${rss.firstQuarterMb} → ${rss.lastQuarterMb} MB, max ${rss.maxMb} MB (bound ${maxRssMb} MB)`,
    );
    for (const problem of problems) console.log(`FAILED: ${problem}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await server?.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
