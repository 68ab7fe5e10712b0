import { getRequestContext } from "./request-context";

/**
 * Database time per request (for Server-Timing) and operations in flight (for the pool gauge).
 * postgres.js exposes no pool statistics, so the database layer wraps each unit of work.
 */

const holder = globalThis as typeof globalThis & { __slipwayDbInFlight?: { count: number } };
const inFlight = (holder.__slipwayDbInFlight ??= { count: 0 });

export async function timeDatabase<T>(work: () => Promise<T>): Promise<T> {
  const context = getRequestContext();
  const started = process.hrtime.bigint();
  inFlight.count++;
  try {
    return await work();
  } finally {
    inFlight.count--;
    if (context) {
      context.dbMs += Number(process.hrtime.bigint() - started) / 1e6;
      context.dbCalls++;
    }
  }
}

export function databaseOperationsInFlight(): number {
  return inFlight.count;
}
