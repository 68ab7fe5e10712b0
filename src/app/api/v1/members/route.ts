import { listMembers } from "@/features/members";
import { apiRoute, ok } from "@/lib/http";

/** The active tenant's members, by name: `{ data }`. */
export const GET = apiRoute({}, async ({ session }) => ok({ data: await listMembers(session) }));
