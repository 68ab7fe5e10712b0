/** The baseline for liveness and readiness: a route handler returning JSON, no I/O. */
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" });
}
