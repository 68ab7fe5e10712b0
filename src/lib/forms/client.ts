/**
 * What every form action returns to useActionState (browser-safe half of @/lib/forms). One shape
 * for every form: validation problems per field, refusals as a message with a stable code, and
 * what the user typed so a failed submission keeps it.
 */
export interface FormState {
  status: "idle" | "error" | "success";
  /** Stable code of a refusal or validation failure ("invalid_input", "role_not_allowed", …). */
  code?: string;
  message?: string;
  /** First problem per field name. */
  fieldErrors?: Record<string, string>;
  /** What the user submitted (text fields only). */
  values?: Record<string, string>;
}

export const IDLE_FORM: FormState = { status: "idle" };

/** A server action in the shape useActionState calls (what formAction() makes). */
export type FormAction = (previous: FormState, formData: FormData) => Promise<FormState>;
