import type { Role } from "@db/schema";
import { MemberInvitations } from "@/features/invitations";
import type { Caller } from "@/lib/auth";
import { listMembers } from "../queries";
import { MembersTable } from "./members-table";

/**
 * The members page's content: the organization's members and, for admins where members are
 * managed in this app, the invitations section. Invitations stay a feature of their own (their
 * routes, accept page, job and table), composed here so that the page imports its one feature.
 */
export async function MembersOverview({ tenant }: { tenant: Caller & { userId: string; role: Role } }) {
  const members = await listMembers(tenant);
  return (
    <>
      <MembersTable members={members} viewer={tenant} />
      <MemberInvitations tenant={tenant} />
    </>
  );
}
