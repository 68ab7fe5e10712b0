import { receiveClerkWebhook } from "@/features/organizations";
import { ok, publicApiRoute } from "@/lib/http";

/** Clerk -> Slipway provisioning. Verified with svix; 400 JSON and nothing written when not authentic. */
export const POST = publicApiRoute({}, async ({ request }) => {
  const result = await receiveClerkWebhook(request);
  return ok({
    received: true,
    id: result.id,
    type: result.type,
    duplicate: result.duplicate,
    changes: result.applied.length,
  });
});
