/** Applies the app's migrations to a test database (filled in by the data layer). */
export async function migrateDatabase(_databaseUrl: string): Promise<void> {}
