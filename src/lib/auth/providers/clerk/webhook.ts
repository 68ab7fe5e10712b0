import { eq } from "drizzle-orm";
import { Webhook } from "svix";
import { webhookEvents } from "@db/schema";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError, NotFoundError } from "@/lib/errors";
import { getLogger } from "@/lib/logger";
import type { WebhookDelivery, WebhookReceipt } from "../../provider";
import { MalformedEventError, planClerkEvent } from "./webhook-events";
import { applyProvisioningChanges } from "./provisioning";

/** The same tolerance svix applies: older (replayed) or future-dated deliveries are refused. */
const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const ACTOR = "clerk-webhook";

class WebhookRejectedError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(400, code, message, details);
  }
}

export interface WebhookHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

/** Pure: the svix headers, or a 400 naming the missing ones. */
export function webhookHeadersOf(headers: Headers): WebhookHeaders {
  const id = headers.get("svix-id") ?? "";
  const timestamp = headers.get("svix-timestamp") ?? "";
  const signature = headers.get("svix-signature") ?? "";
  const missing = Object.entries({ "svix-id": id, "svix-timestamp": timestamp, "svix-signature": signature })
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new WebhookRejectedError("webhook_headers_missing", `Missing webhook headers: ${missing.join(", ")}.`);
  }
  return { id, timestamp, signature };
}

/** Throws unless `body` was signed with `secret` for these headers within the tolerance. */
export function verifyWebhookSignature(secret: string, headers: WebhookHeaders, body: string, now = new Date()): void {
  const sentAt = Number(headers.timestamp);
  if (!Number.isInteger(sentAt)) {
    throw new WebhookRejectedError("webhook_timestamp_invalid", "The svix-timestamp header is not a Unix time.");
  }
  if (Math.abs(now.getTime() / 1000 - sentAt) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookRejectedError(
      "webhook_timestamp_invalid",
      "The webhook timestamp is outside the allowed window (replayed or clock skew).",
    );
  }
  try {
    new Webhook(secret).verify(body, {
      "svix-id": headers.id,
      "svix-timestamp": headers.timestamp,
      "svix-signature": headers.signature,
    });
  } catch {
    throw new WebhookRejectedError("webhook_signature_invalid", "The webhook signature does not match.");
  }
}

/**
 * Verifies, plans and applies one Clerk delivery. Nothing is written unless the signature,
 * timestamp and payload are all valid. A redelivered svix id is acknowledged and changes nothing.
 */
export async function receiveClerkWebhook(delivery: WebhookDelivery): Promise<WebhookReceipt> {
  const secret = getEnv().CLERK_WEBHOOK_SECRET;
  // An integration that is not configured is not there: 404, nothing logged beyond the request's line.
  if (!secret) throw new NotFoundError("Clerk webhooks are not configured here.");
  const headers = webhookHeadersOf(delivery.headers);
  const body = await delivery.text();
  verifyWebhookSignature(secret, headers, body);

  let planned;
  try {
    planned = planClerkEvent(body);
  } catch (error) {
    if (error instanceof MalformedEventError) {
      throw new WebhookRejectedError("webhook_payload_malformed", error.message, error.issues);
    }
    throw error;
  }

  const result = await getDb().transaction(async (tx) => {
    // The svix id is claimed first: a concurrent redelivery waits on this row, then sees it taken.
    const [claimed] = await tx
      .insert(webhookEvents)
      .values({ id: headers.id, source: "clerk", type: planned.type })
      .onConflictDoNothing({ target: webhookEvents.id })
      .returning({ id: webhookEvents.id });
    if (!claimed) return { id: headers.id, type: planned.type, duplicate: true, changes: 0 };
    const applied = await applyProvisioningChanges(tx, planned.changes, ACTOR);
    await tx.update(webhookEvents).set({ changes: applied }).where(eq(webhookEvents.id, headers.id));
    return { id: headers.id, type: planned.type, duplicate: false, changes: applied.length };
  });
  getLogger().info(
    {
      webhook: "clerk",
      svixId: result.id,
      type: result.type,
      duplicate: result.duplicate,
      changes: result.changes,
    },
    "clerk webhook processed",
  );
  return result;
}
