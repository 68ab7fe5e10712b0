/** Projects: the example tenant-scoped feature (docs/guides/add-a-tenant-scoped-feature.md). */
export { createProjectAction, deleteProjectAction, updateProjectAction } from "./actions";
export { DeleteProjectForm, ProjectForm } from "./components/project-forms";
export { createProject, deleteProject, updateProject } from "./mutations";
export { findProjectForPage, getProject, listProjects } from "./queries";
export {
  createProjectInput,
  decodeCursor,
  listProjectsQuery,
  PAGE_SIZE_DEFAULT,
  PROJECT_STATUSES,
  projectIdParams,
  updateProjectInput,
} from "./schemas";
