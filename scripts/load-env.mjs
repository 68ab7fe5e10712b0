/**
 * Preloaded by `npm run db:migrate` / `db:seed` (tsx --import): reads .env, .env.local… the way
 * `next dev` and `npm run dev` do, so DATABASE_URL in .env applies to the db scripts too.
 * Not part of the bundled migrator: in production the environment is set by the platform.
 */
import path from "node:path";
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(path.resolve(import.meta.dirname, ".."), process.env.NODE_ENV !== "production", {
  info: () => {},
  error: console.error,
});
