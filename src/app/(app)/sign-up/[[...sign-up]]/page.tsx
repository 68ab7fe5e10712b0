import { SiteFooter, SiteHeader } from "@/components/site-header";
import { SignUpScreen } from "@/features/auth";

export const metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="container">
        <h1>Create your account</h1>
        <SignUpScreen />
      </main>
      <SiteFooter />
    </>
  );
}
