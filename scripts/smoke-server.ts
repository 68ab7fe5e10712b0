/**
 * The server Playwright starts when no BASE_URL is given: the production standalone build, laid
 * out outside the project tree exactly as the Dockerfile does, on an embedded PostgreSQL with
 * migrations and demo data (or on DATABASE_URL when set), in local auth mode; beside it the
 * background worker (`node worker.mjs`) sending email to a local SMTP server (tests/support/smtp.ts)
 * whose messages are listed as JSON at http://127.0.0.1:PORT+1/mails (the invitation smoke test
 * follows the emailed link).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres";
import { prepareDatabase } from "./prepare-database";
import { ensureProductionBuild } from "./production-build";
import { startSmtpServer } from "../tests/support/smtp";
// @ts-expect-error plain ESM script without types
import { prepareStandalone } from "./prepare-standalone.mjs";

const port = process.env.PORT ?? "3100";

async function main() {
  ensureProductionBuild();
  const dir: string = prepareStandalone(path.join(tmpdir(), `slipway-smoke-${randomBytes(4).toString("hex")}`));

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(tmpdir(), `slipway-smoke-pg-${randomBytes(4).toString("hex")}`),
      persistent: false,
    });
    databaseUrl = embedded.url;
  }
  const smtp = await startSmtpServer();
  const mailbox = createServer((request, response) => {
    const found = request.url === "/mails";
    response.writeHead(found ? 200 : 404, { "content-type": "application/json" });
    response.end(JSON.stringify(found ? smtp.mails : { error: "not found" }));
  });
  await new Promise<void>((resolve) => mailbox.listen(Number(port) + 1, "127.0.0.1", resolve));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: port,
    HOSTNAME: "127.0.0.1",
    NEXT_MANUAL_SIG_HANDLE: "true",
    DATABASE_URL: databaseUrl,
    AUTH_MODE: process.env.AUTH_MODE ?? "local",
    SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString("hex"),
    APP_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: smtp.url,
    WORKER_PORT: String(Number(port) + 2),
    JOBS_POLL_INTERVAL_SECONDS: "0.5",
  };
  await prepareDatabase(env);

  const server = spawn(process.execPath, ["server.js"], { cwd: dir, env, stdio: "inherit" });
  const worker = spawn(process.execPath, ["worker.mjs"], { cwd: dir, env, stdio: ["ignore", "ignore", "inherit"] });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.kill("SIGTERM");
      await exited;
    }
    mailbox.close();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
    await embedded?.stop().catch(() => {});
  };
  const forward = (signal: NodeJS.Signals) => () => {
    if (server.exitCode === null) server.kill(signal);
  };
  process.on("SIGTERM", forward("SIGTERM"));
  process.on("SIGINT", forward("SIGINT"));
  server.on("exit", async (code) => {
    await cleanup();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
