export { apiRoute, created, handleRouteError, noContent, ok, publicApiRoute, type RouteInput } from "./api-route";
export { errorResponse, toAppError } from "./errors-to-response";
export { DEFAULT_MAX_BODY_BYTES } from "./parse";
