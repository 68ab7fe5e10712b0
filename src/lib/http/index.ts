/** Route handlers: validated input, one JSON error shape, errors logged and reported once. */
export { apiRoute, created, noContent, ok, publicApiRoute } from "./api-route";
export { readBody } from "./parse";
