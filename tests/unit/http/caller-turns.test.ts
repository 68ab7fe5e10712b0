import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { CallerTurns, type Turn } from "@/lib/http/caller-turns";

/** A response that closes when the test says so (sent, or its client gone). */
function response(): ServerResponse & { close: () => void } {
  const emitter = new EventEmitter() as unknown as ServerResponse & { close: () => void };
  emitter.close = () => emitter.emit("close");
  return emitter;
}

/** What each taken turn has become so far. */
function track(promise: Promise<Turn>): { state: Turn | "waiting" } {
  const tracked: { state: Turn | "waiting" } = { state: "waiting" };
  void promise.then((turn) => (tracked.state = turn));
  return tracked;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a caller's turns", () => {
  it("run `concurrent` requests at once, queue `queued` more in arrival order, refuse the rest", async () => {
    const turns = new CallerTurns({ concurrent: 2, queued: 2 });
    const responses = Array.from({ length: 5 }, response);
    const taken = responses.map((each) => track(turns.take("caller", each)));
    await settle();
    expect(taken.map((each) => each.state)).toEqual(["turn", "turn", "waiting", "waiting", "queue-full"]);

    responses[1]!.close();
    await settle();
    expect(taken.map((each) => each.state)).toEqual(["turn", "turn", "turn", "waiting", "queue-full"]);
    responses[0]!.close();
    await settle();
    expect(taken[3]!.state).toBe("turn");
  });

  it("are separate per caller: a busy caller does not make another wait", async () => {
    const turns = new CallerTurns({ concurrent: 1, queued: 1 });
    track(turns.take("busy", response()));
    expect(track(turns.take("busy", response())).state).toBe("waiting");
    const other = track(turns.take("other", response()));
    await settle();
    expect(other.state).toBe("turn");
  });

  it("let a waiting request whose client went away leave the queue, and forget idle callers", async () => {
    const turns = new CallerTurns({ concurrent: 1, queued: 1 });
    const running = response();
    const waiting = response();
    track(turns.take("caller", running));
    const left = track(turns.take("caller", waiting));
    waiting.close();
    await settle();
    expect(left.state).toBe("gone");

    const next = track(turns.take("caller", response()));
    await settle();
    expect(next.state).toBe("waiting"); // the queue has room again: it was not refused
    running.close();
    await settle();
    expect(next.state).toBe("turn");
    expect(turns.size).toBe(1);
  });

  it("forget a caller once nothing of theirs runs or waits", async () => {
    const turns = new CallerTurns({ concurrent: 1, queued: 0 });
    const only = response();
    await turns.take("caller", only);
    expect(turns.size).toBe(1);
    only.close();
    expect(turns.size).toBe(0);
  });
});
