"use server";

import { revalidatePath } from "next/cache";
import { requireTenantSession } from "@/lib/auth";
import { formAction } from "@/lib/forms";
import { changeMemberRole, removeMember } from "./mutations";
import { changeMemberRoleForm, memberIdParams } from "./schemas";

// The members page's server actions: the same feature functions and schemas as the API, through
// the one form path (a refusal, last_admin included, comes back as form state with its code).

export const changeMemberRoleAction = formAction(
  changeMemberRoleForm,
  async ({ userId, role }) => {
    await changeMemberRole(await requireTenantSession(), userId, role);
    revalidatePath("/members");
    return { status: "success", message: "Role saved." };
  },
  { keepValues: false },
);

export const removeMemberAction = formAction(
  memberIdParams,
  async ({ userId }) => {
    await removeMember(await requireTenantSession(), userId);
    revalidatePath("/members");
    return { status: "success", message: "Member removed." };
  },
  { keepValues: false },
);
