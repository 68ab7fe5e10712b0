import { createProject, listProjects } from "../../../lib/db";

/** The baseline for the tenant list API (one select) and for creating a project (one insert). */
export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json({ data: await listProjects(), nextCursor: null });
}

export async function POST(request) {
  const { name } = await request.json();
  return Response.json({ data: await createProject(name) }, { status: 201 });
}
