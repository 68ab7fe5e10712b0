import { SiteFooter, SiteHeader } from "@/components/site-header";
import { SignInScreen } from "@/features/auth";

export const metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="container">
        <h1>Sign in</h1>
        <SignInScreen />
      </main>
      <SiteFooter />
    </>
  );
}
