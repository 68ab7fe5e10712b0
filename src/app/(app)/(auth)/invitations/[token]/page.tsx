import Link from "next/link";
import { AcceptInvitationForm, acceptInvitationAction, previewInvitation } from "@/features/invitations";
import { getAuthContext, membersManagedBy, SIGN_IN_PATH } from "@/lib/auth";
import { toAppError } from "@/lib/errors";

export const metadata = { title: "Invitation", referrer: "no-referrer" };

/**
 * An invitation link's page (public): what the invitation is for, and the button that accepts it
 * as the signed-in user or as a new local user. A spent, expired or damaged link says so. In the
 * sign-in screens' plain frame: whoever holds the link may not be signed in yet.
 */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const managedBy = membersManagedBy();
  let preview: Awaited<ReturnType<typeof previewInvitation>> | undefined;
  let refusal: { code: string; message: string } | undefined;
  if (!managedBy) {
    try {
      preview = await previewInvitation(decodeURIComponent(token));
    } catch (error) {
      const known = toAppError(error);
      if (!known || known.status >= 500) throw error;
      refusal = { code: known.code, message: known.message };
    }
  }
  const signedIn = preview ? await getAuthContext() : null;
  return (
    <>
      <h1>Invitation</h1>
      {managedBy ? (
        <p className="muted">
          This deployment signs in with {managedBy.name}: accept invitations from {managedBy.name}&apos;s email.
        </p>
      ) : refusal ? (
        <p className="error-text" role="alert" data-code={refusal.code}>
          {refusal.message}
        </p>
      ) : preview ? (
        <>
          <p>
            You are invited to join <strong>{preview.tenantName}</strong> as {preview.role} ({preview.email}).
          </p>
          {signedIn && signedIn.user.email?.toLowerCase() !== preview.email ? (
            <p className="muted">
              You are signed in as {signedIn.user.email ?? signedIn.user.name}: <Link href={SIGN_IN_PATH}>sign in</Link>{" "}
              as {preview.email} to accept.
            </p>
          ) : (
            <AcceptInvitationForm
              action={acceptInvitationAction}
              token={decodeURIComponent(token)}
              signedInAs={signedIn ? (signedIn.user.name ?? signedIn.user.email ?? "you") : null}
            />
          )}
        </>
      ) : null}
    </>
  );
}
