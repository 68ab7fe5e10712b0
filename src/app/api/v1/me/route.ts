import { describeMe } from "@/features/auth/me";
import { getAuthContext } from "@/lib/auth";
import { UnauthorizedError } from "@/lib/errors";
import { ok, publicApiRoute } from "@/lib/http";

/** Who the caller is: 401 JSON when signed out; tenant null until an organization is active. */
export const GET = publicApiRoute({}, async () => {
  const context = await getAuthContext();
  if (!context) throw new UnauthorizedError();
  return ok(await describeMe(context));
});
