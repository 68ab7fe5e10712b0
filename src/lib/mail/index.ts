import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { getEnv, nodeEnv } from "@/lib/env";
import type { Logger } from "@/lib/logger";
import { singleton } from "@/lib/singleton";

/**
 * Outgoing email through SMTP (SMTP_URL, SMTP_FROM; nodemailer). Without SMTP_URL, development
 * prints each email, links included, to the worker's log instead (the README's quick start needs no
 * mail server); anywhere else sending fails, so the job retries and ends as a dead letter someone
 * sees, never as a silently dropped email.
 */

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The same key for every attempt at the same email: it becomes the Message-ID and the
   * X-Slipway-Idempotency-Key header, so a receiver (or a test) can tell a retried duplicate.
   */
  idempotencyKey: string;
}

/** Seconds each SMTP step (connect, greeting, each command) may take. */
const SMTP_TIMEOUT_MS = 10_000;

function transport(smtpUrl: string): Transporter {
  return singleton("mail.transport", () =>
    nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    } as Parameters<typeof nodemailer.createTransport>[0]),
  );
}

export async function sendEmail(email: Email, log: Logger): Promise<void> {
  const env = getEnv();
  if (!env.SMTP_URL) {
    if (nodeEnv !== "development") throw new Error("SMTP_URL is not set: cannot send email.");
    log.info(
      { to: email.to, subject: email.subject, text: email.text },
      "email not sent (SMTP_URL is unset): printed here",
    );
    return;
  }
  await transport(env.SMTP_URL).sendMail({
    from: env.SMTP_FROM,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: `<${email.idempotencyKey}@slipway.invalid>`,
    headers: { "X-Slipway-Idempotency-Key": email.idempotencyKey },
  });
}
