import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../scripts/embedded-postgres";
import { startPostgres, type EmbeddedPostgresHandle } from "../../support/postgres";
import { migrateDatabase } from "../../support/migrate";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { pollUntil, probe, removeDir } from "./support";

/**
 * After an outage long enough for the driver's reconnect backoff to exceed a health check's
 * timeout, the app must still turn ready within seconds of PostgreSQL coming back. A TCP relay in
 * front of PostgreSQL refuses connections for a while (as a stopped server does) while the
 * health endpoint is polled, then lets them through again. Found by the game day: postgres.js
 * stranded the health connection when a check timed out (and cancelled its query) while the
 * connection waited to reconnect, and its default backoff reaches 20 s; every instance stayed
 * not ready for good after a one-minute PostgreSQL outage.
 */
describe("health after a long PostgreSQL outage", () => {
  let cluster: EmbeddedPostgresHandle;
  let relay: Server;
  let relayPort: number;
  let server: StandaloneServer;
  const sockets = new Set<Socket>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const openRelay = () =>
    new Promise<void>((resolve) => {
      relay = createServer((client) => {
        const upstream = connect(cluster.port, "127.0.0.1");
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      relay.listen(relayPort, "127.0.0.1", resolve);
    });
  const closeRelay = async () => {
    const closed = new Promise((resolve) => relay.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  beforeAll(async () => {
    cluster = await startPostgres({ persistent: false });
    await migrateDatabase(cluster.url);
    relayPort = await freePort();
    await openRelay();
    const url = new URL(cluster.url);
    url.port = String(relayPort);
    server = await startStandaloneServer({ dir: inject("standaloneDir"), env: { DATABASE_URL: url.toString() } });
    await pollUntil(`${server.url}/health/ready`, (r) => r.status === 200, 5000);
  });

  afterAll(async () => {
    await server?.stop();
    if (relay?.listening) await closeRelay();
    await cluster?.stop();
    if (cluster) await removeDir(cluster.dataDir);
  });

  it("turns ready within 5 s of the database accepting connections again after 15 s away", async () => {
    await closeRelay();
    const outageEnds = performance.now() + 15_000;
    await pollUntil(`${server.url}/health/ready`, (r) => r.status === 503, 3000);
    // Probes keep the checks running (each one a failed connection attempt) for the whole outage.
    while (performance.now() < outageEnds) {
      await probe(`${server.url}/health/ready`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await openRelay();
    const ready = await pollUntil(`${server.url}/health/ready`, (r) => r.status === 200, 5000);
    expect(ready.afterMs).toBeLessThan(5000);
    expect((await probe(`${server.url}/api/health`)).status).toBe(200);
  });
});
