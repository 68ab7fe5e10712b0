import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";

/**
 * A PostgreSQL that logs every statement it runs (log_statement=all), so a test or a benchmark can
 * count what a request really costs: `statementsIn(database)` returns the statements run in that
 * database, in order, as PostgreSQL saw them (simple queries and executions of prepared ones,
 * multi-line ones whole), without postgres.js's connection setup.
 */
export interface LoggedPostgres extends EmbeddedPostgresHandle {
  statementsIn: (database: string) => string[];
  /** Forget what was logged so far. */
  clear: () => void;
}

const PREFIX_SEPARATOR = "|~|";
/** postgres.js reads the array types when it opens a connection: connection setup, not a request's work. */
const CONNECTION_SETUP = /^select b\.oid, b\.typarray\b/;
const STATEMENT = /^(?:statement|execute [^:]+): (.*)$/s;

export async function startLoggedPostgres(): Promise<LoggedPostgres> {
  let buffered = "";
  const lines: { database: string; text: string }[] = [];
  /** The statement the next unprefixed line continues. */
  let continued: { database: string; text: string } | undefined;
  const onLog = (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) {
      const [database, rest] = line.split(PREFIX_SEPARATOR);
      if (rest === undefined) {
        // A statement written over several lines: PostgreSQL prints the rest without a prefix.
        if (continued) continued.text = `${continued.text}\n${line}`.trim();
        continue;
      }
      continued = undefined;
      const message = /LOG:\s+(.*)$/s.exec(rest)?.[1];
      const statement = message ? STATEMENT.exec(message)?.[1] : undefined;
      if (statement !== undefined) {
        continued = { database: database!.trim(), text: statement.trim() };
        lines.push(continued);
      }
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
    statementsIn: (database) =>
      lines.filter((line) => line.database === database && !CONNECTION_SETUP.test(line.text)).map((line) => line.text),
    clear: () => {
      lines.length = 0;
    },
  };
}
