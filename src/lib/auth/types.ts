import type { Role } from "./roles";

/** Who is asking, in internal ids. tenantId/role are null until a tenant is selected. */
export interface AuthContext {
  userId: string;
  tenantId: string | null;
  role: Role | null;
}

export interface TenantContext {
  userId: string;
  tenantId: string;
  role: Role;
}
