/** Members of the active organization: the list, and (local mode) role changes and removal by admins. */
export { MembersTable } from "./components/members-table";
export { changeMemberRole, removeMember } from "./mutations";
export { listMembers } from "./queries";
export { changeMemberRoleInput, memberIdParams } from "./schemas";
