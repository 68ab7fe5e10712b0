import postgres from "postgres";

/**
 * One postgres.js pool per process, as large as Slipway's (DATABASE_POOL_MAX, default 10), for
 * the one tenant the bench seeded (BENCH_TENANT_ID). No auth, no tenant context, no ORM.
 */
const holder = globalThis;

export function sql() {
  holder.benchSql ??= postgres(process.env.DATABASE_URL, {
    max: Number(process.env.DATABASE_POOL_MAX ?? 10),
    onnotice: () => {},
  });
  return holder.benchSql;
}

export const tenantId = () => process.env.BENCH_TENANT_ID;
export const userId = () => process.env.BENCH_USER_ID;

/** The projects query Slipway's list runs (same columns, order and limit), as one statement. */
export async function listProjects(limit = 20) {
  const rows = await sql()`
    select id, name, description, status, created_by, created_at, updated_at,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_created_at
    from projects
    where tenant_id = ${tenantId()}
    order by created_at desc, id desc
    limit ${limit + 1}`;
  return rows.slice(0, limit).map(toProject);
}

export async function createProject(name) {
  const [row] = await sql()`
    insert into projects (tenant_id, name, created_by) values (${tenantId()}, ${name}, ${userId()})
    returning id, name, description, status, created_by, created_at, updated_at`;
  return toProject(row);
}

function toProject(row) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
