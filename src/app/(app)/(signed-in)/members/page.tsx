import { MemberInvitations } from "@/features/invitations";
import { listMembers, MembersTable } from "@/features/members";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Members" };

export default async function MembersPage() {
  const tenant = await requirePageTenant();
  const members = await listMembers(tenant);
  return (
    <>
      <h1>Members</h1>
      <MembersTable members={members} viewer={tenant} />
      <MemberInvitations tenant={tenant} />
    </>
  );
}
