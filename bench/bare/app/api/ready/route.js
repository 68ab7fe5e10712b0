import { sql } from "../../../lib/db";

/** The cold-start baseline's readiness: 200 once the database answers. */
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await sql()`select 1`;
    return Response.json({ status: "ready" });
  } catch {
    return Response.json({ status: "not ready" }, { status: 503 });
  }
}
