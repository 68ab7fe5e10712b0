import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import * as schema from "@db/schema";
import { pipelinedClient } from "@/lib/db/pipeline";
import { postgresErrorOf } from "@/lib/errors";
import { startRoundTripCounter, type RoundTripCounter } from "../../support/round-trips";
import { adminSql, createEmptyDatabase } from "../../support/tenants";

/**
 * The client getDb() gives drizzle (src/lib/db/pipeline.ts), against a real PostgreSQL behind a
 * relay that counts round trips: statements are prepared (one round trip, not two), a
 * transaction's BEGIN leaves with its first statements, and a failure anywhere in a pipeline
 * aborts what follows it and is what the transaction reports.
 */

const clusterUrl = inject("databaseUrl");
const cluster = adminSql(clusterUrl);
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let counter: RoundTripCounter;
let client: postgres.Sql;
let db: ReturnType<typeof drizzle<typeof schema>>;

beforeAll(async () => {
  database = await createEmptyDatabase(cluster, clusterUrl);
  const setup = postgres(database.url, { max: 1, onnotice: () => {} });
  await setup`create table marks (label text primary key)`;
  await setup.end();
  counter = await startRoundTripCounter(database.url);
  // Requests run one at a time here, so one connection serves them all (a second takes over from
  // the one a test has PostgreSQL end).
  client = postgres(counter.url, { max: 2, onnotice: () => {} });
  db = drizzle(pipelinedClient(client), { schema });
});

afterAll(async () => {
  // A connection PostgreSQL closed makes postgres.js's end() wait for its timeout.
  await client?.end({ timeout: 1 });
  await counter?.stop();
  await database?.drop();
  await cluster.end();
});

beforeEach(async () => {
  await db.execute(sql`truncate marks`);
});

/** Round trips `work` takes once the connection is open and its statements prepared. */
async function roundTripsOf(work: () => Promise<unknown>): Promise<number> {
  await work();
  await db.execute(sql`truncate marks`);
  counter.reset();
  await work();
  return counter.roundTrips();
}

const mark = (label: string) => sql`insert into marks (label) values (${label})`;
const marks = async () =>
  (await db.execute<{ label: string }>(sql`select label from marks order by label`)).map((row) => row.label);

describe("the pipelined client", () => {
  it("sends a parameterized statement in one round trip (prepared), not two", async () => {
    expect(await roundTripsOf(() => db.execute(sql`select ${1}::int as one`))).toBe(1);
  });

  it("sends BEGIN with a transaction's first statement: one statement and COMMIT is two round trips", async () => {
    expect(await roundTripsOf(() => db.transaction((tx) => tx.execute(sql`select ${1}::int as one`)))).toBe(2);
  });

  it("sends statements issued together in one round trip", async () => {
    const trips = await roundTripsOf(() =>
      db.transaction(async (tx) => {
        await Promise.all([tx.execute(mark("a")), tx.execute(mark("b")), tx.execute(mark("c"))]);
      }),
    );
    expect(trips).toBe(2);
    expect(await marks()).toEqual(["a", "b", "c"]);
  });

  it("runs none of the statements after a failing one, and reports that failure, not the aborts after it", async () => {
    const error = await db
      .transaction(async (tx) => {
        await Promise.all([
          tx.execute(mark("before")),
          tx.execute(sql`select 1 / ${0}::int`),
          tx.execute(mark("after")),
        ]);
      })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(postgresErrorOf(error)?.code).toBe("22012");
    expect(await marks()).toEqual([]);
  });

  it("fails the transaction when the function swallowed a failed statement", async () => {
    const outcome = db.transaction(async (tx) => {
      await tx.execute(mark("kept?"));
      await tx.execute(sql`select 1 / ${0}::int`).catch(() => undefined);
      return "done";
    });
    await expect(outcome).rejects.toSatisfy((error) => postgresErrorOf(error)?.code === "22012");
    expect(await marks()).toEqual([]);
  });

  it("reports a failure of a statement nobody waited for, answered just before COMMIT", async () => {
    const outcome = db.transaction(async (tx) => {
      await tx.execute(mark("x"));
      tx.execute(sql`select 1 / ${0}::int`).catch(() => undefined);
      return "returned before the statement was answered";
    });
    await expect(outcome).rejects.toSatisfy((error) => postgresErrorOf(error)?.code === "22012");
    expect(await marks()).toEqual([]);
  });

  it("writes nothing more to a connection PostgreSQL ended mid-transaction, and the pool reconnects", async () => {
    const outcome = db.transaction(async (tx) => {
      await tx.execute(mark("lost"));
      const [{ pid }] = [...(await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`))] as [
        { pid: number },
      ];
      const sleeping = tx.execute(sql`select pg_sleep(10)`);
      sleeping.catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const [row] =
          await cluster`select count(*)::int as n from pg_stat_activity where pid = ${pid} and query like '%pg_sleep%'`;
        if (row!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await cluster`select pg_terminate_backend(${pid})`;
      await sleeping;
    });
    await expect(outcome).rejects.toBeDefined();
    // postgres.js hands the ended session's error (57P01) to the first use of the reconnected
    // connection: a transaction after that runs on a fresh session.
    let attempts = 0;
    for (; attempts < 3; attempts++) {
      const done = await db
        .transaction((tx) => tx.execute(mark("again")))
        .then(
          () => true,
          () => false,
        );
      if (done) break;
    }
    expect(attempts).toBeLessThan(3);
    expect(await marks()).toEqual(["again"]);
  });

  it("refuses a statement issued after its transaction ended, instead of running it outside", async () => {
    let leaked: Parameters<Parameters<typeof db.transaction>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
      await tx.execute(mark("inside"));
    });
    await expect(leaked!.execute(mark("outside"))).rejects.toSatisfy((error: Error) =>
      /transaction has ended/.test(String((error.cause as Error | undefined)?.message)),
    );
    expect(await marks()).toEqual(["inside"]);
  });
});
