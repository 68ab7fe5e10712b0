import { SignInScreen } from "@/lib/auth/screens";

export const metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <>
      <h1>Sign in</h1>
      <SignInScreen />
    </>
  );
}
