import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";

/**
 * A PostgreSQL that logs every statement it runs (log_statement=all), so a test or a benchmark can
 * count what a request really costs: `statementsIn(database)` returns the statements run in that
 * database, in order, as PostgreSQL saw them (simple queries and executions of prepared ones).
 */
export interface LoggedPostgres extends EmbeddedPostgresHandle {
  statementsIn: (database: string) => string[];
  /** Forget what was logged so far. */
  clear: () => void;
}

const PREFIX_SEPARATOR = "|~|";
const STATEMENT = /^(?:statement|execute [^:]+): (.*)$/s;

export async function startLoggedPostgres(): Promise<LoggedPostgres> {
  let buffered = "";
  const lines: { database: string; text: string }[] = [];
  const onLog = (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) {
      const [database, rest] = line.split(PREFIX_SEPARATOR);
      if (rest === undefined) continue;
      const message = /LOG:\s+(.*)$/s.exec(rest)?.[1];
      const statement = message ? STATEMENT.exec(message)?.[1] : undefined;
      if (statement !== undefined) lines.push({ database: database!.trim(), text: statement.trim() });
    }
  };
  const handle = await startEmbeddedPostgres({
    dataDir: path.join(tmpdir(), `slipway-statement-log-${randomBytes(6).toString("hex")}`),
    persistent: false,
    onLog,
    settings: { log_statement: "all", log_line_prefix: `%d${PREFIX_SEPARATOR}` },
  });
  return {
    ...handle,
    statementsIn: (database) => lines.filter((line) => line.database === database).map((line) => line.text),
    clear: () => {
      lines.length = 0;
    },
  };
}
