import Link from "next/link";
import { PageFrame } from "@/components/page-frame";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <PageFrame>
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address. It may have moved, or the link may be wrong.</p>
      <div className="actions">
        <Link className="button" href="/">
          Back to the home page
        </Link>
      </div>
    </PageFrame>
  );
}
