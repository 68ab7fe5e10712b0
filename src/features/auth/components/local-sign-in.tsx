import { TrackedForm } from "@/lib/observability/client";
import { signInLocal } from "../actions";
import { listSignInChoices } from "../queries";

const ERRORS: Record<string, string> = {
  unknown_user: "That user no longer exists. Choose another.",
};

/** Local mode: pick a user (and organization) from the database; no passwords, development and demos only. */
export async function LocalSignIn({ error }: { error?: string }) {
  const choices = await listSignInChoices();
  return (
    <>
      <p className="muted">
        Local mode: choose a demo user. No password: this mode is for development, tests and public demos.
      </p>
      {error ? (
        <p className="error-text" role="alert">
          {ERRORS[error] ?? "Sign-in failed. Try again."}
        </p>
      ) : null}
      {choices.length === 0 ? (
        <p>
          No users yet. Run <code>npm run db:seed</code> to create the demo organizations and users.
        </p>
      ) : (
        <ul className="choice-list" aria-label="Demo users">
          {choices.map((user) => (
            <li key={user.userId} className="card" data-testid="sign-in-choice">
              <h2 className="card-title">{user.name ?? user.email ?? "Unnamed user"}</h2>
              {user.email ? <p className="muted">{user.email}</p> : null}
              <div className="actions">
                {user.memberships.map((membership) => (
                  <TrackedForm
                    key={membership.tenantId}
                    action={signInLocal}
                    event="Sign In"
                    eventProps={{ method: "local" }}
                  >
                    <input type="hidden" name="userId" value={user.userId} />
                    <input type="hidden" name="tenantId" value={membership.tenantId} />
                    <button className="button" type="submit">
                      Sign in to {membership.tenantName} as {membership.role}
                    </button>
                  </TrackedForm>
                ))}
                {user.memberships.length === 0 ? (
                  <TrackedForm action={signInLocal} event="Sign In" eventProps={{ method: "local" }}>
                    <input type="hidden" name="userId" value={user.userId} />
                    <button className="button secondary" type="submit">
                      Sign in (no organization)
                    </button>
                  </TrackedForm>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
