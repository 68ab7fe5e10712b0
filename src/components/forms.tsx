"use client";

import { createContext, useActionState, useContext, useId, type ComponentProps, type ReactNode } from "react";
import { trackEvent, type AnalyticsEventName, type AnalyticsEvents } from "@/lib/analytics";
import { IDLE_FORM, type FormAction, type FormState } from "@/lib/forms/client";

/**
 * The one way to render a form (the Epic Stack's forms.tsx is the model): <ActionForm> runs a
 * server action made with formAction() through useActionState (so it works without JavaScript
 * too), and the fields inside read their error and the submitted value from it by name.
 */

const FormStateContext = createContext<{ state: FormState; pending: boolean }>({ state: IDLE_FORM, pending: false });

export function ActionForm<N extends AnalyticsEventName>({
  action,
  children,
  event,
  eventProps,
  ...form
}: Omit<ComponentProps<"form">, "action"> & {
  action: FormAction;
  children: ReactNode;
  /** Analytics event sent when the form is submitted. */
  event?: N;
  eventProps?: AnalyticsEvents[N];
}) {
  const [state, formAction, pending] = useActionState(action, IDLE_FORM);
  const messageId = useId();
  return (
    <FormStateContext.Provider value={{ state, pending }}>
      <form
        {...form}
        action={formAction}
        noValidate
        aria-describedby={state.message ? messageId : undefined}
        onSubmit={event ? () => trackEvent(event, eventProps) : undefined}
      >
        {state.message ? (
          <p
            id={messageId}
            className={state.status === "error" ? "error-text" : "muted"}
            role={state.status === "error" ? "alert" : "status"}
            data-code={state.code}
          >
            {state.message}
          </p>
        ) : null}
        {children}
      </form>
    </FormStateContext.Provider>
  );
}

function useField(name: string, defaultValue: string | undefined) {
  const { state } = useContext(FormStateContext);
  const id = useId();
  const error = state.fieldErrors?.[name];
  return {
    id,
    error,
    errorId: `${id}-error`,
    // After an answer, what the user submitted (React resets the form to these defaults).
    value: state.values?.[name] ?? defaultValue,
  };
}

function FieldShell({
  label,
  field,
  hideLabel,
  children,
}: {
  label: string;
  field: ReturnType<typeof useField>;
  hideLabel?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="form-row">
      <label htmlFor={field.id} className={hideLabel ? "visually-hidden" : undefined}>
        {label}
      </label>
      {children}
      {field.error ? (
        <p id={field.errorId} className="error-text">
          {field.error}
        </p>
      ) : null}
    </div>
  );
}

type FieldProps<E extends "input" | "textarea" | "select"> = Omit<ComponentProps<E>, "name" | "id" | "defaultValue"> & {
  name: string;
  label: string;
  defaultValue?: string;
  hideLabel?: boolean;
};

function ariaOf(field: ReturnType<typeof useField>) {
  return {
    "aria-invalid": field.error ? true : undefined,
    "aria-describedby": field.error ? field.errorId : undefined,
  };
}

export function Field({ name, label, defaultValue, hideLabel, ...input }: FieldProps<"input">) {
  const field = useField(name, defaultValue);
  return (
    <FieldShell label={label} field={field} hideLabel={hideLabel}>
      <input id={field.id} name={name} defaultValue={field.value} {...ariaOf(field)} {...input} />
    </FieldShell>
  );
}

export function TextareaField({ name, label, defaultValue, hideLabel, ...textarea }: FieldProps<"textarea">) {
  const field = useField(name, defaultValue);
  return (
    <FieldShell label={label} field={field} hideLabel={hideLabel}>
      <textarea id={field.id} name={name} defaultValue={field.value} {...ariaOf(field)} {...textarea} />
    </FieldShell>
  );
}

export function SelectField({
  name,
  label,
  defaultValue,
  hideLabel,
  options,
  ...select
}: FieldProps<"select"> & { options: readonly { value: string; label: string }[] }) {
  const field = useField(name, defaultValue);
  return (
    <FieldShell label={label} field={field} hideLabel={hideLabel}>
      <select id={field.id} name={name} defaultValue={field.value} {...ariaOf(field)} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** The submit button: disabled while the action runs. */
export function SubmitButton({
  children,
  pendingLabel,
  className = "button",
  ...button
}: ComponentProps<"button"> & { pendingLabel?: string }) {
  const { pending } = useContext(FormStateContext);
  return (
    <button className={className} type="submit" disabled={pending} aria-disabled={pending} {...button}>
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
