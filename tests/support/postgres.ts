import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";

export type { EmbeddedPostgresHandle };

/**
 * A throwaway PostgreSQL cluster. The data directory sits directly in the temp dir (not in a
 * mkdtemp folder) because PostgreSQL runs as another user when we are root and must reach it.
 */
export async function startPostgres(
  options: { port?: number; dataDir?: string; persistent?: boolean } = {},
): Promise<EmbeddedPostgresHandle> {
  return startEmbeddedPostgres({
    dataDir: options.dataDir ?? path.join(tmpdir(), `slipway-test-pg-${randomBytes(6).toString("hex")}`),
    port: options.port,
    // persistent: true lets a test stop and restart the same cluster (then it removes dataDir itself).
    persistent: options.persistent ?? false,
  });
}
