import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  // Only generate/check use this file; migrations run through db/migrate.ts.
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost:5432/slipway" },
});
