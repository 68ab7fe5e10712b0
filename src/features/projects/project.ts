import type { ProjectStatus } from "./schemas";

/** A project as the API and pages see it (the tenant is implicit). */
export interface Project {
  id: string;
  name: string;
  description: string;
  status: ProjectStatus;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectPage {
  data: Project[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export function toProject(row: {
  id: string;
  name: string;
  description: string;
  status: ProjectStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
