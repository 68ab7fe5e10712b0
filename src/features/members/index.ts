/** Members of the active organization: the list, and (local mode) role changes and removal by admins. */
export { changeMemberRole, removeMember } from "./actions";
export { listMembers } from "./queries";
