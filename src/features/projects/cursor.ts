import { z } from "zod";

/**
 * Keyset pagination cursor: the (created_at, id) of the last row on a page, as opaque base64url
 * JSON. created_at keeps PostgreSQL's microseconds (a JS Date would drop them and skip or repeat
 * rows that share a millisecond).
 */
export interface ProjectCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const cursorPayload = z.strictObject({
  t: z.string().regex(TIMESTAMP),
  i: z.uuid(),
});

export function encodeCursor(cursor: ProjectCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id })).toString("base64url");
}

/** The cursor, or null when `value` is not one we issued (tampered, truncated, another format). */
export function decodeCursor(value: string): ProjectCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    if (!parsed.success || Number.isNaN(Date.parse(parsed.data.t))) return null;
    return { createdAt: parsed.data.t, id: parsed.data.i };
  } catch {
    return null;
  }
}
