import { NO_STORE_HEADERS } from "@/lib/health";

/** Liveness: no dependency checks and no I/O. 200 whenever the process can answer at all. */
export const dynamic = "force-dynamic";

const headers = { ...NO_STORE_HEADERS, "Content-Type": "text/plain; charset=utf-8" };

export function GET() {
  return new Response("ok\n", { status: 200, headers });
}

export function HEAD() {
  return new Response(null, { status: 200, headers });
}
