import { SignIn } from "@clerk/nextjs";
import { redirect } from "next/navigation";
import { SiteFooter, SiteHeader } from "@/components/site-header";
import { LocalSignIn } from "@/features/auth/components/local-sign-in";
import { getAuthContext, HOME_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "@/lib/auth";
import { getAuthMode } from "@/lib/env";

export const metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const mode = getAuthMode();
  if (mode === "local" && (await getAuthContext())) redirect(HOME_PATH);
  const { error } = await searchParams;
  return (
    <>
      <SiteHeader />
      <main id="main" className="container">
        <h1>Sign in</h1>
        {mode === "clerk" ? (
          <SignIn path={SIGN_IN_PATH} routing="path" signUpUrl={SIGN_UP_PATH} fallbackRedirectUrl={HOME_PATH} />
        ) : (
          <LocalSignIn error={typeof error === "string" ? error : undefined} />
        )}
      </main>
      <SiteFooter />
    </>
  );
}
