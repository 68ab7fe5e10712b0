import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP relay in front of PostgreSQL that counts round trips: each time a client sends after
 * PostgreSQL last answered it is one (statements written together, pipelined, count once). Point a
 * client or a server's DATABASE_URL at `url`; `roundTrips()` is the count since `reset()`.
 */
export interface RoundTripCounter {
  url: string;
  roundTrips: () => number;
  reset: () => void;
  stop: () => Promise<void>;
}

export async function startRoundTripCounter(databaseUrl: string): Promise<RoundTripCounter> {
  const target = new URL(databaseUrl);
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    let clientSpokeLast = false;
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => {
      if (!clientSpokeLast) count++;
      clientSpokeLast = true;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      clientSpokeLast = false;
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) socket.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    roundTrips: () => count,
    reset: () => {
      count = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
