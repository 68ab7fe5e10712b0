import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStep, startLoad } from "../../support/load";

/**
 * The load generator's phase accounting, which the game day's and the rehearsal's bounds rest on:
 * a request counts in the phase it started in, `settled()` waits for every request started before
 * it, and a failure carries the response's request id (to find its log lines).
 */
describe("tests/support/load.ts", () => {
  let server: Server;
  let baseUrl: string;
  let answered = 0;

  beforeAll(async () => {
    let counter = 0;
    server = createServer((_request, response) => {
      const id = `req-${++counter}`;
      // Slow answers: several requests are in flight at any moment.
      setTimeout(() => {
        answered += 1;
        response.writeHead(500, { "x-request-id": id, "content-type": "text/plain" }).end("no");
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("waits in settled() for the requests started before it, and names each failure's phase and request id", async () => {
    const load = startLoad({ baseUrl, ratePerSecond: 40, durationMs: 3_000, steps: [readStep("/slow")] });
    load.mark("first");
    await new Promise((resolve) => setTimeout(resolve, 500));
    load.mark("second");
    const answeredAtMark = load.failures().filter((failure) => failure.phase === "first").length;
    await load.settled();
    const answeredWhenSettled = load.failures().filter((failure) => failure.phase === "first").length;
    const report = await load.stop();
    const first = report.phases.find((phase) => phase.name === "first")!;

    // Requests of "first" were still in flight at the mark (each takes 300 ms); settled() waited for all.
    expect(answeredAtMark).toBeLessThan(first.requests);
    expect(answeredWhenSettled).toBe(first.requests);
    expect(report.failures.every((failure) => /^req-\d+$/.test(failure.requestId ?? ""))).toBe(true);
    expect(report.failures[0]).toMatchObject({ step: "GET /slow", reason: "HTTP 500" });
    expect(answered).toBe(report.requests);
  });
});
