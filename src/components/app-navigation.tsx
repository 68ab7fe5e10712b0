import Link from "next/link";

/** The signed-in app's sections, in the header's order: a new feature's page is added here. */
const SECTIONS = [
  { href: "/projects", label: "Projects" },
  { href: "/members", label: "Members" },
] as const;

/** The links of the signed-in app's header. */
export function AppNavigation() {
  return (
    <>
      {SECTIONS.map((section) => (
        <Link key={section.href} href={section.href}>
          {section.label}
        </Link>
      ))}
    </>
  );
}
