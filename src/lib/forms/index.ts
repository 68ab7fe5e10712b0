import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { toAppError, zodIssues } from "@/lib/errors";
import { reportError } from "@/lib/observability";
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

/**
 * THE way to write a server action for a form (nextjs/saas-starter's validatedAction is the model):
 * the submission is validated by `schema`, `handler` runs with the parsed input, and every refusal
 * comes back as form state with a code, never as a thrown 500: invalid input → field errors;
 * a known error (not signed in, not a member, not an admin, not found, conflict, unavailable) →
 * its message and code. redirect() and notFound() pass through; anything else is a bug: logged,
 * reported, and answered with a generic message.
 */
export function formAction<S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>) => Promise<FormState | void>,
  options: { keepValues?: boolean } = {},
): FormAction {
  return async (_previous, formData) => {
    const fields = textFields(formData);
    const values = options.keepValues === false ? undefined : fields;
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      return {
        status: "error",
        code: "invalid_input",
        message: "Check the highlighted fields.",
        fieldErrors: firstIssuePerField(issues),
        values,
      };
    }
    try {
      return (await handler(parsed.data)) ?? { status: "success" };
    } catch (error) {
      unstable_rethrow(error);
      const known = toAppError(error);
      if (!known) {
        reportError(error, { message: "unhandled error in server action" });
        return {
          status: "error",
          code: "internal_error",
          message: "Something went wrong on our side. Try again.",
          values,
        };
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
  };
}
