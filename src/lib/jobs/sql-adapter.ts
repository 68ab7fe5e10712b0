import { sql, type SQL } from "drizzle-orm";
import type { Transaction } from "@/lib/db";

/**
 * pg-boss's `db` option (its documented way to run a command inside the caller's transaction): its
 * parameterised text ($1, $2…) as a drizzle query on `tx`. Values are passed as parameters, never
 * spliced into the text; objects (a job's data) as JSON, as node-postgres would send them.
 */
export function transactionAdapter(tx: Transaction): {
  executeSql: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;
} {
  return {
    executeSql: async (text, values = []) => {
      const rows = await tx.execute(toQuery(text, values));
      return { rows: Array.from(rows as Iterable<unknown>) };
    },
  };
}

const asParameter = (value: unknown) =>
  value === undefined
    ? null
    : value !== null && typeof value === "object" && !(value instanceof Date)
      ? JSON.stringify(value)
      : value;

/** `select $1::int + $2` with [1, 2] → drizzle `select ${1}::int + ${2}`. */
function toQuery(text: string, values: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, index) => {
    if (index % 2 === 0) {
      if (part) chunks.push(sql.raw(part));
    } else {
      const position = Number(part);
      if (position < 1 || position > values.length) throw new Error(`query parameter $${position} has no value`);
      chunks.push(sql`${asParameter(values[position - 1])}`);
    }
  });
  return sql.join(chunks);
}
