import { SignUpScreen } from "@/lib/auth/screens";

export const metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <>
      <h1>Create your account</h1>
      <SignUpScreen />
    </>
  );
}
