import "server-only";

/** Liveness, readiness and the detailed report (docs/health-checks.md). */
export { checkBackup } from "./backup";
export { getHealthReport, getReadiness, healthSnapshot } from "./report";
export { healthResponse, NO_STORE_HEADERS } from "./respond";
export { getStatusHistory } from "./history-sources";
export type { StatusHistory } from "./history";
