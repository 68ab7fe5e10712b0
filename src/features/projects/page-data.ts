import "server-only";
import { NotFoundError } from "@/lib/errors";
import type { Project } from "./project";
import { getProject } from "./queries";
import { projectIdParams } from "./schemas";

/** For pages: the project, or null when the id is malformed or names no project of this tenant. */
export async function findProjectForPage(tenantId: string, id: string): Promise<Project | null> {
  const parsed = projectIdParams.safeParse({ id });
  if (!parsed.success) return null;
  try {
    return await getProject(tenantId, parsed.data.id);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
