/**
 * Brings a development database up to date before the app starts: migrations, then demo data.
 * (Filled in by the data layer: migrations and seed.)
 */
export async function prepareDatabase(_env: NodeJS.ProcessEnv): Promise<void> {}
