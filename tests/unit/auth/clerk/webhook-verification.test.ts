import { describe, expect, it } from "vitest";
import { Webhook } from "svix";
import { verifyWebhookSignature, webhookHeadersOf } from "@/lib/auth/providers/clerk/webhook";

const secret = `whsec_${Buffer.from("a-test-signing-secret-32-bytes!!").toString("base64")}`;
const body = JSON.stringify({ type: "user.created", data: { id: "user_1" } });

function signed(at: Date, payload = body, id = "msg_1") {
  return {
    id,
    timestamp: String(Math.floor(at.getTime() / 1000)),
    signature: new Webhook(secret).sign(id, at, payload),
  };
}

describe("webhookHeadersOf", () => {
  it("names every missing svix header", () => {
    expect(() => webhookHeadersOf(new Headers({ "svix-id": "msg_1" }))).toThrow(/svix-timestamp, svix-signature/);
  });
});

describe("verifyWebhookSignature", () => {
  const now = new Date(); // svix checks the timestamp against the real clock too

  it("accepts a body signed with the secret just now", () => {
    expect(() => verifyWebhookSignature(secret, signed(now), body, now)).not.toThrow();
  });

  it("refuses a body changed after signing", () => {
    expect(() => verifyWebhookSignature(secret, signed(now), body.replace("user_1", "user_2"), now)).toThrow(
      expect.objectContaining({ code: "webhook_signature_invalid", status: 400 }),
    );
  });

  it("refuses a signature made with another secret", () => {
    const other = `whsec_${Buffer.from("another-secret-of-32-bytes-long!").toString("base64")}`;
    const headers = { ...signed(now), signature: new Webhook(other).sign("msg_1", now, body) };
    expect(() => verifyWebhookSignature(secret, headers, body, now)).toThrow(
      expect.objectContaining({ code: "webhook_signature_invalid" }),
    );
  });

  it("refuses a correctly signed delivery replayed after the five-minute window", () => {
    const old = new Date(now.getTime() - 6 * 60 * 1000);
    expect(() => verifyWebhookSignature(secret, signed(old), body, now)).toThrow(
      expect.objectContaining({ code: "webhook_timestamp_invalid" }),
    );
  });
});
