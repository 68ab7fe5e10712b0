import { databaseUrlFrom, describeDatabase, runMigrations } from "../db/migrate";
import { seedDatabase } from "../db/seed";

/**
 * Brings a development database up to date before the app starts: migrations, then the demo
 * tenants (idempotent), so a fresh checkout lands in a populated app. Development only: in
 * production, migrations are a release step (docs/database.md) and nothing is seeded.
 */
export async function prepareDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  const url = databaseUrlFrom(env);
  const { applied, total } = await runMigrations(url);
  console.log(
    applied === 0
      ? `Database ${describeDatabase(url)} is up to date (${total} migrations).`
      : `Applied ${applied} of ${total} migrations to ${describeDatabase(url)}.`,
  );
  const seeded = await seedDatabase(url);
  if (seeded.tenants + seeded.users + seeded.memberships + seeded.projects > 0) {
    console.log(
      `Seeded demo data: ${seeded.tenants} tenants, ${seeded.users} users, ${seeded.memberships} memberships, ${seeded.projects} projects.`,
    );
  }
}
