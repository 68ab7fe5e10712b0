import type { ReactNode } from "react";
import { PageFrame } from "@/components/page-frame";

/** Signing in and up: the site's plain frame. */
export default function AuthScreensLayout({ children }: { children: ReactNode }) {
  return <PageFrame>{children}</PageFrame>;
}
