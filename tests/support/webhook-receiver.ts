import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the pager and the chat that alerts go to: an HTTP server on a free loopback
 * port that accepts any JSON POST (Slack-compatible incoming webhooks, Alertmanager's webhook, the
 * uptime and backup scripts' notifications), answers 200 and keeps what arrived, in order.
 *
 *   const receiver = await startWebhookReceiver();
 *   // point Alertmanager's receiver `page` at `${receiver.url}/page`
 *   const [message] = await receiver.waitFor((m) => m.path === "/page", { timeoutMs: 30_000 });
 *   await receiver.stop();
 */

export interface ReceivedMessage {
  path: string;
  receivedAt: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface WebhookReceiver {
  url: string;
  messages: ReceivedMessage[];
  /**
   * Resolves with every message matching `predicate` once at least `count` (default 1) have
   * arrived; rejects after `timeoutMs` (default 60 s) with what did arrive.
   */
  waitFor: (
    predicate: (message: ReceivedMessage) => boolean,
    options?: { count?: number; timeoutMs?: number },
  ) => Promise<ReceivedMessage[]>;
  stop: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: a test may assert what a sender that is not JSON sent
      }
      messages.push({ path: request.url ?? "/", receivedAt: Date.now(), headers: request.headers, body });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    waitFor: (predicate, { count = 1, timeoutMs = 60_000 } = {}) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.filter(predicate);
          if (found.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fewer than ${count} matching message(s) within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => ({ path: m.path, body: m.body })))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
