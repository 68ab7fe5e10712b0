import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProjectsServer } from "../../support/projects-api";
import type { StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";

/**
 * Every page comes in one frame (src/components/page-frame.tsx), rendered by its layout: one
 * header, one main landmark (the skip link's target), one footer; the signed-in area's header
 * carries the one navigation list (src/components/app-navigation.tsx) and the account menu.
 */

const databaseUrl = inject("databaseUrl");
const admin = adminSql(databaseUrl);
let server: StandaloneServer;
let cookie: string;
let projectId: string;

beforeAll(async () => {
  let cookieFor: (userId: string, tenantId?: string) => Promise<string>;
  ({ server, cookieFor } = await startProjectsServer({ dir: inject("standaloneDir"), databaseUrl }));
  const tenant = await createTenant(admin, { projects: ["Framed"] });
  cookie = await cookieFor(tenant.adminId, tenant.tenantId);
  projectId = tenant.projectIds[0]!;
});

afterAll(async () => {
  await server?.stop();
  await admin.end();
});

const count = (html: string, pattern: RegExp) => html.match(new RegExp(pattern, "g"))?.length ?? 0;

function frameOf(html: string) {
  return {
    headers: count(html, /<header class="site-header"/),
    mains: count(html, /<main id="main"/),
    footers: count(html, /<footer class="site-footer"/),
    projectsLinks: count(html, /<a [^>]*href="\/projects">Projects<\/a>/),
    membersLinks: count(html, /<a [^>]*href="\/members">Members<\/a>/),
  };
}

async function page(path: string, signedIn: boolean): Promise<string> {
  const response = await fetch(server.url + path, { headers: signedIn ? { cookie } : {}, redirect: "manual" });
  expect(response.status, path).toBeLessThan(300);
  return response.text();
}

describe("the page frame", () => {
  it.each(["/projects", "/projects/new", "/members", "/select-organization"])(
    "%s: one header with the app's navigation, one main, one footer",
    async (path) => {
      expect(frameOf(await page(path, true))).toEqual({
        headers: 1,
        mains: 1,
        footers: 1,
        projectsLinks: 1,
        membersLinks: 1,
      });
    },
  );

  it("a project's pages: the same frame", async () => {
    for (const path of [`/projects/${projectId}`, `/projects/${projectId}/delete`]) {
      expect(frameOf(await page(path, true))).toMatchObject({ headers: 1, mains: 1, footers: 1, projectsLinks: 1 });
    }
  });

  it.each(["/", "/sign-in", "/status"])("%s: one header, one main, one footer, no app navigation", async (path) => {
    expect(frameOf(await page(path, false))).toMatchObject({ headers: 1, mains: 1, footers: 1, membersLinks: 0 });
  });

  it("the 404 page: one frame", async () => {
    const response = await fetch(`${server.url}/no-such-page`);
    expect(response.status).toBe(404);
    expect(frameOf(await response.text())).toMatchObject({ headers: 1, mains: 1, footers: 1 });
  });
});
