/** What a project form action returns to useActionState. */
export interface FormState {
  status: "idle" | "error" | "success";
  message?: string;
  /** First problem per field name. */
  fieldErrors?: Record<string, string>;
  /** What the user submitted, so a failed submission keeps their input. */
  values?: Record<string, string>;
}

export const IDLE: FormState = { status: "idle" };
