import { getHealthReport, healthResponse } from "@/lib/health";

/** The detailed report: healthy/degraded 200, unhealthy 503 (shape in docs/health-checks.md). */
export const dynamic = "force-dynamic";

const handlers = healthResponse(getHealthReport);
export const GET = handlers.GET;
export const HEAD = handlers.HEAD;
