import { retryableDatabaseError } from "@/lib/errors";
import { timeDatabase } from "@/lib/observability";
import { getDb } from "./pool";
import type { Transaction } from "./scope";

/** Attempts in all: a conflict that survives three is answered (409 concurrent_change, Retry-After). */
const TRANSACTION_ATTEMPTS = 3;

/** A short random pause before attempt `attempt` (2, 3, …), so the transactions that collided part. */
const pauseBefore = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 5 * 2 ** (attempt - 2) * (1 + Math.random())));

/**
 * Runs `fn` in one transaction (pipelined, ./pipeline.ts), again when PostgreSQL ended it for a
 * conflict with a concurrent one (serialization failure, deadlock; retryableDatabaseError), up to
 * TRANSACTION_ATTEMPTS in all; then the last error propagates, for @/lib/errors to answer. `fn` may
 * therefore run more than once: everything it does must be inside the transaction.
 */
export function retriedTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return timeDatabase(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await getDb().transaction(fn);
      } catch (error) {
        if (attempt >= TRANSACTION_ATTEMPTS || !retryableDatabaseError(error)) throw error;
        await pauseBefore(attempt + 1);
      }
    }
  });
}
