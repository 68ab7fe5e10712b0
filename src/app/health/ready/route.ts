import { getReadiness, healthResponse } from "@/lib/health";

/** Readiness: 503 while draining or when a required dependency fails; checks cached per interval. */
export const dynamic = "force-dynamic";

const handlers = healthResponse(getReadiness);
export const GET = handlers.GET;
export const HEAD = handlers.HEAD;
