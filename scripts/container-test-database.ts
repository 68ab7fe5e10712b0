/**
 * A fresh, empty PostgreSQL database for `npm run test:container`, reachable on 127.0.0.1.
 *
 *   npx tsx scripts/container-test-database.ts URL_FILE
 *
 * With DATABASE_URL set: creates a new database `slipway_container_<random>` on that server.
 * Without: starts a throwaway embedded cluster (scripts/embedded-postgres.ts) on a free port.
 * Writes the database's URL to URL_FILE once it is ready, then waits; on SIGTERM/SIGINT it drops
 * the database (or stops and deletes the cluster) and exits.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "./embedded-postgres";

const urlFile = process.argv[2];
if (!urlFile) {
  console.error("usage: tsx scripts/container-test-database.ts URL_FILE");
  process.exit(2);
}

async function main(): Promise<void> {
  let url: string;
  let cleanup: () => Promise<void>;
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `slipway_container_${randomBytes(4).toString("hex")}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    cleanup = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(tmpdir(), `slipway-container-pg-${randomBytes(6).toString("hex")}`),
      persistent: false,
    });
    url = cluster.url;
    cleanup = cluster.stop;
  }
  writeFileSync(urlFile!, `${url}\n`, { mode: 0o600 });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cleanup().catch((error: unknown) => console.error("container-test-database: cleanup failed:", error));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  setInterval(() => {}, 60_000);
}

main().catch((error: unknown) => {
  console.error("container-test-database:", error instanceof Error ? error.message : error);
  process.exit(1);
});
