/** Invitations by email (local auth mode; Clerk mode keeps Clerk's): invite, list, revoke, accept. */
export { acceptInvitationAction } from "./actions";
export { AcceptInvitationForm } from "./components/invitation-forms";
export { MemberInvitations } from "./components/member-invitations";
export { acceptInvitation, createInvitation, revokeInvitation } from "./mutations";
export { listInvitations, previewInvitation } from "./queries";
export { acceptInvitationInput, createInvitationInput, invitationIdParams } from "./schemas";
