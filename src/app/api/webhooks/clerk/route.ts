import { receiveWebhook } from "@/lib/auth";
import { ok, publicApiRoute, readBody } from "@/lib/http";

/** Clerk -> Slipway provisioning. Verified with svix; 400 JSON and nothing written when not authentic. */
export const POST = publicApiRoute({}, async ({ request }) =>
  ok({
    received: true,
    ...(await receiveWebhook("clerk", {
      headers: request.headers,
      text: async () => new TextDecoder().decode(await readBody(request)),
    })),
  }),
);
