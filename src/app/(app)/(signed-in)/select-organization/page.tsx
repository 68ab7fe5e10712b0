import { OrganizationPicker } from "@/lib/auth/screens";

export const metadata = { title: "Choose an organization" };

/** Signed in without an active organization: choose (or, with Clerk, create) one. */
export default function SelectOrganizationPage() {
  return (
    <>
      <h1>Choose an organization</h1>
      <p className="muted">Everything in Slipway belongs to an organization. Pick the one to work in.</p>
      <OrganizationPicker />
    </>
  );
}
