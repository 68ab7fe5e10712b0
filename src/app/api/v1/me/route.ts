import { requireAuthContext } from "@/lib/auth";
import { apiRoute, ok } from "@/lib/http";

/** Who the caller is: 401 JSON when signed out; tenant null until an organization is active. */
export const GET = apiRoute({ tenant: false }, async () => {
  const context = await requireAuthContext();
  return ok({
    user: { id: context.userId, ...context.user },
    tenant: context.tenantId && context.tenant ? { id: context.tenantId, ...context.tenant } : null,
    role: context.role,
  });
});
