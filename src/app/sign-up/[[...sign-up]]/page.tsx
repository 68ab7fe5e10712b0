import { SignUp } from "@clerk/nextjs";
import { redirect } from "next/navigation";
import { SiteFooter, SiteHeader } from "@/components/site-header";
import { HOME_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "@/lib/auth";
import { getAuthMode } from "@/lib/env";

export const metadata = { title: "Sign up" };

export default function SignUpPage() {
  // Local mode has no sign-up: the demo users come from the seed.
  if (getAuthMode() !== "clerk") redirect(SIGN_IN_PATH);
  return (
    <>
      <SiteHeader />
      <main id="main" className="container">
        <h1>Create your account</h1>
        <SignUp path={SIGN_UP_PATH} routing="path" signInUrl={SIGN_IN_PATH} fallbackRedirectUrl={HOME_PATH} />
      </main>
      <SiteFooter />
    </>
  );
}
