import { runMigrations } from "../../db/migrate";

/** Applies the app's migrations (db/migrations) to a test database. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await runMigrations(databaseUrl);
}
