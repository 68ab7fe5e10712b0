import type { ServerResponse } from "node:http";

/**
 * One signed-in caller's tenant API requests take turns: at most `concurrent` of them run at once,
 * the next `queued` wait for a turn in arrival order, and any more are refused. A caller who sends
 * fifty requests at once therefore has only `concurrent` of them on the event loop, and another
 * tenant's request waits behind those, not behind fifty (issue 20: another tenant's p50 within 2×
 * of its idle p50 during a flood; `npm run bench -- --only=neighbour`). Rate limits bound how many
 * requests a caller makes per minute; turns bound how much of the process they hold at one time.
 *
 * A turn ends when its response closes (sent, or the client gone); a waiting request whose client
 * goes away leaves the queue.
 */
export type Turn = "turn" | "queue-full" | "gone";

interface Caller {
  running: number;
  waiting: Array<() => void>;
}

export class CallerTurns {
  private readonly callers = new Map<string, Caller>();

  constructor(private readonly limits: { concurrent: number; queued: number }) {}

  take(key: string, response: ServerResponse): Promise<Turn> {
    let caller = this.callers.get(key);
    if (!caller) {
      caller = { running: 0, waiting: [] };
      this.callers.set(key, caller);
    }
    if (caller.running < this.limits.concurrent) {
      this.run(key, caller, response);
      return Promise.resolve("turn");
    }
    if (caller.waiting.length >= this.limits.queued) return Promise.resolve("queue-full");
    const waiting = caller;
    return new Promise((resolve) => {
      const start = () => {
        response.off("close", leave);
        this.run(key, waiting, response);
        resolve("turn");
      };
      const leave = () => {
        waiting.waiting.splice(waiting.waiting.indexOf(start), 1);
        this.forgetIfIdle(key, waiting);
        resolve("gone");
      };
      waiting.waiting.push(start);
      response.once("close", leave);
    });
  }

  /** Callers with a request running or waiting (for tests: an idle caller is forgotten). */
  get size(): number {
    return this.callers.size;
  }

  private run(key: string, caller: Caller, response: ServerResponse): void {
    caller.running += 1;
    response.once("close", () => {
      caller.running -= 1;
      const next = caller.waiting.shift();
      if (next) next();
      else this.forgetIfIdle(key, caller);
    });
  }

  private forgetIfIdle(key: string, caller: Caller): void {
    if (caller.running === 0 && caller.waiting.length === 0) this.callers.delete(key);
  }
}
