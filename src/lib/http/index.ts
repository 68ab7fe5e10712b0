/** Route handlers: validated input, one JSON error shape, errors logged and reported once. */
export { apiRoute, created, handleRouteError, noContent, ok, publicApiRoute, type RouteInput } from "./api-route";
