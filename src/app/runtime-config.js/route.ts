import { publicConfigResponse } from "@/lib/observability";

/** The browser's runtime config (Sentry DSN and rates, analytics, demo mode), read when the server starts. */
export const dynamic = "force-dynamic";

export const GET = publicConfigResponse;
