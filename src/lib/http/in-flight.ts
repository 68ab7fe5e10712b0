import type { ServerResponse } from "node:http";

/**
 * THE count of requests this process is working on: load shedding and per-client fairness decide
 * from it, the shutdown drain waits on it, the metrics report it. A request is counted from its
 * admission until its response closes (finished, or the connection gone).
 */
export class InFlightAccount {
  private readonly byClient = new Map<string, number>();
  private readonly responses = new Set<ServerResponse>();
  private readonly idleWaiters = new Set<() => void>();

  get total(): number {
    return this.responses.size;
  }

  ofClient(client: string): number {
    return this.byClient.get(client) ?? 0;
  }

  /** Counts `response` for `client` until release(). */
  admit(response: ServerResponse, client: string): void {
    this.responses.add(response);
    this.byClient.set(client, this.ofClient(client) + 1);
  }

  /** `response` has closed (finished, or its connection gone). */
  release(response: ServerResponse, client: string): void {
    if (!this.responses.delete(response)) return;
    const left = this.ofClient(client) - 1;
    if (left > 0) this.byClient.set(client, left);
    else this.byClient.delete(client);
    if (this.responses.size === 0) for (const waiter of this.idleWaiters) waiter();
  }

  /** Every response in flight (the drain asks each to close its connection after it). */
  current(): Iterable<ServerResponse> {
    return this.responses;
  }

  /** Resolves true once nothing is in flight, false after `ms`. */
  whenIdle(ms: number): Promise<boolean> {
    if (this.responses.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => finish(true);
      const timer = setTimeout(() => finish(false), ms);
      this.idleWaiters.add(onIdle);
    });
  }
}
