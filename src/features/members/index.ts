/**
 * Members of the active organization: the list, and (local mode) role changes and removal by admins;
 * the members page's content (MembersOverview) includes the invitations feature's section.
 */
export { MembersOverview } from "./components/members-overview";
export { changeMemberRole, removeMember } from "./mutations";
export { listMembers } from "./queries";
export { changeMemberRoleInput, memberIdParams } from "./schemas";
