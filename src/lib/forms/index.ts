import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { getSession } from "@/lib/auth";
import { toAppError, zodIssues } from "@/lib/errors";
import { reportError, requestClientIp } from "@/lib/observability";
import { consumeRateLimit, type RateLimitPolicy } from "@/lib/rate-limit";
import type { FormAction, FormState } from "./client";

export type { FormAction, FormState } from "./client";

/** Text fields of a submission (files and Next's internal `$ACTION_` fields are left out). */
function textFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of formData) {
    if (typeof value === "string" && !name.startsWith("$ACTION")) fields[name] = value;
  }
  return fields;
}

function firstIssuePerField(issues: { path: string; message: string }[]): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const { path, message } of issues) fieldErrors[path.split(".")[0] || "form"] ??= message;
  return fieldErrors;
}

/** A thrown error as form state: known errors with their code and message, anything else generic (and reported). */
function refusal(error: unknown, values: Record<string, string> | undefined): FormState {
  const known = toAppError(error);
  if (!known) {
    reportError(error, { message: "unhandled error in server action" });
    return { status: "error", code: "internal_error", message: "Something went wrong on our side. Try again.", values };
  }
  if (known.status >= 500) reportError(error, { level: "warning", message: known.message, code: known.code });
  const details = Array.isArray(known.details) ? (known.details as { path: string; message: string }[]) : [];
  return {
    status: "error",
    code: known.code,
    message: known.message,
    ...(details.length > 0 ? { fieldErrors: firstIssuePerField(details) } : {}),
    values,
  };
}

/**
 * THE way to write a server action for a form (nextjs/saas-starter's validatedAction is the model):
 * the submission is validated by `schema`, `handler` runs with the parsed input, and every refusal
 * comes back as form state with a code, never as a thrown 500: too many submissions
 * (rate_limited), invalid input (field errors), a known error (not signed in, not a member, not an
 * admin, not found, conflict, unavailable: its message and code). redirect() and notFound() pass
 * through; anything else is a bug: logged, reported, and answered with a generic message.
 *
 * Every submission counts against `rateLimit` (default server-action): per signed-in user and
 * tenant, or per client IP when signed out; sign-in always counts per client IP.
 */
export function formAction<S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>) => Promise<FormState | void>,
  options: { keepValues?: boolean; rateLimit?: RateLimitPolicy } = {},
): FormAction {
  const policy = options.rateLimit ?? "server-action";
  return async (_previous, formData) => {
    // React decodes whatever a caller posts: a hand-made call may pass anything but a form.
    if (!(formData instanceof FormData)) {
      return { status: "error", code: "invalid_input", message: "The submission is not a form." };
    }
    const fields = textFields(formData);
    const values = options.keepValues === false ? undefined : fields;
    try {
      const session = policy === "sign-in" ? null : await getSession();
      await consumeRateLimit(policy, session ? session.key : `ip:${requestClientIp()}`);
    } catch (error) {
      return refusal(error, values);
    }
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      return {
        status: "error",
        code: "invalid_input",
        message: "Check the highlighted fields.",
        fieldErrors: firstIssuePerField(zodIssues(parsed.error)),
        values,
      };
    }
    try {
      return (await handler(parsed.data)) ?? { status: "success" };
    } catch (error) {
      unstable_rethrow(error);
      return refusal(error, values);
    }
  };
}
