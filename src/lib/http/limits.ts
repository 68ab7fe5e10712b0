/**
 * Request-size limits the build (next.config.ts) and the server share. Plain constants with no
 * imports: next.config.ts loads this file directly.
 */

/**
 * The largest body a page path accepts (server actions; the proxy buffers bodies up to this much):
 * the app's forms are a few kilobytes. API routes stream-limit their own bodies (16 KiB by default).
 */
export const PAGE_BODY_LIMIT_BYTES = 64 * 1024;
