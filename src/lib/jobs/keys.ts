import { createHash } from "node:crypto";

/**
 * A job's id from its idempotency key: the same key always gives the same id, and pg-boss refuses
 * a second job with an id its queue already holds (ON CONFLICT DO NOTHING on the primary key), so
 * enqueueing the same key twice enqueues one job. UUID-shaped (version nibble 8: custom).
 */
export function jobIdFor(queue: string, key: string): string {
  const hex = createHash("sha256").update(`${queue}\u0000${key}`).digest("hex");
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
