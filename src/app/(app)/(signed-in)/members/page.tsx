import { MembersOverview } from "@/features/members";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Members" };

export default async function MembersPage() {
  const tenant = await requirePageTenant();
  return (
    <>
      <h1>Members</h1>
      <MembersOverview tenant={tenant} />
    </>
  );
}
