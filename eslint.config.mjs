import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/**
 * Boundaries (docs/decisions/0005-enforced-boundaries.md). Dependencies point one way:
 * src/app → src/features → src/lib → db, with src/components (shared UI) beside features. Each
 * concern's public surface is its index (`@/lib/<concern>`, `@/features/<feature>`) plus, where a
 * concern has browser-safe parts, `@/lib/<concern>/client`, Edge-runtime-safe parts, `@/lib/<concern>/edge`,
 * and the route table's pure helpers,
 * `@/lib/http/routes` (the proxy, the auth step and Sentry's options read the table too). Nothing reaches into another
 * concern's files. Import cycles are found by madge (`npm run lint:cycles`): eslint-plugin-import's
 * no-cycle takes over a minute on this tree, madge a few seconds.
 */
const PUBLIC_SURFACE =
  "Import another concern through its public surface: @/lib/<concern> (or @/lib/<concern>/client for browser-safe parts, @/lib/<concern>/edge for Edge-runtime-safe parts, @/lib/http/routes for the route table's helpers), @/features/<feature>, @db/schema.";
const deepImport = (allowedLibEntries = "client|edge|routes", allowedFeatureEntries = "") => ({
  regex: `^(@/lib/[^/]+/(?!(${allowedLibEntries})$).+|@/features/[^/]+/${allowedFeatureEntries ? `(?!(${allowedFeatureEntries})$)` : ""}.+|@db/(?!schema$|migrations/meta/_journal\\.json$).+)`,
  message: PUBLIC_SURFACE,
});
const DEEP_IMPORT = deepImport();
const noImportsOf = (regex, message) => ({ regex, message });
/**
 * Clerk stays behind the identity-provider seam (docs/decisions/0067-one-auth-seam.md): only the
 * Clerk provider's folder imports @clerk/*, so removing Clerk is deleting that folder and its
 * registrations (docs/guides/remove-what-you-do-not-need.md). Every rule set below includes this.
 */
const NO_CLERK = noImportsOf(
  "^@clerk/",
  "Only the Clerk identity provider (src/lib/auth/providers/clerk/) imports @clerk/*: go through @/lib/auth.",
);
const restrictWithClerk = (...patterns) => ["error", { patterns }];
const restrict = (...patterns) => restrictWithClerk(...patterns, NO_CLERK);
const LIB_IMPORTS_NO_UI = noImportsOf(
  "^@/(app|features|components)(/|$)",
  "src/lib is infrastructure: it imports no feature, page or UI.",
);
/**
 * An identity provider's folder holds all its code, its sign-in screens included (ADR 0067): it
 * may render the shared form components and reach the auth core beside it by relative path, but
 * no feature, page or other UI, and nothing outside src/lib/auth by relative path.
 */
const providerImports = [
  DEEP_IMPORT,
  noImportsOf("^@/(app|features)(/|$)", "src/lib is infrastructure: it imports no feature or page."),
  noImportsOf(
    "^@/components(/(?!forms$)|$)",
    "An identity provider's screens use only the shared form components (@/components/forms).",
  ),
  noImportsOf(
    "^(\\.\\./){3}",
    "Import another concern through its public surface (@/lib/<concern>), not a relative path.",
  ),
];

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [
      ".next/**",
      "dist/**",
      ".data/**",
      ".releases/**",
      "node_modules/**",
      "next-env.d.ts",
      "test-results/**",
      "reports/**",
      "playwright-report/**",
      // The bench's bare Next.js baseline builds into its own .next.
      "bench/bare/.next/**",
      // Deliberate violations, linted by tests/unit/lint/boundaries.test.ts.
      "tests/fixtures/boundaries/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Only src/lib/env reads process.env; everything else receives typed config.
    files: ["src/**/*.{ts,tsx}"],
    // src/lib/http/server.ts hands Next the environment variables Next's own server would set.
    ignores: ["src/lib/env/**", "src/instrumentation*.ts", "src/lib/http/server.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through @/lib/env." },
      ],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}", "db/**/*.ts", "scripts/**/*.{ts,mts}", "*.ts"],
    rules: {
      "no-restricted-imports": restrict(DEEP_IMPORT),
    },
  },
  {
    // src/proxy.ts takes the auth step from its own small entry (a smaller proxy bundle), and the
    // route table's pure helpers from @/lib/http/routes.
    files: ["src/proxy.ts"],
    rules: { "no-restricted-imports": restrict(deepImport("client|edge|proxy|routes")) },
  },
  {
    // The route table (src/routes.ts) and the server process (src/server.ts) take the HTTP
    // concern's pure route helpers and its server from their own entries: the concern's index
    // (route handler wrappers) belongs to Next's bundles.
    files: ["src/routes.ts", "src/server.ts", "sentry.*.config.ts"],
    rules: { "no-restricted-imports": restrict(deepImport("client|edge|routes|server")) },
  },
  {
    // The job table (src/jobs.ts) takes a feature's jobs from its own entry, `@/features/<feature>/jobs`:
    // the feature's index also holds pages' actions and components, which the worker never loads.
    files: ["src/jobs.ts"],
    rules: { "no-restricted-imports": restrict(deepImport("client|edge|routes", "jobs")) },
  },
  {
    files: ["src/lib/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": restrict(
        DEEP_IMPORT,
        LIB_IMPORTS_NO_UI,
        noImportsOf(
          "^\\.\\./",
          "Import another concern through its public surface (@/lib/<concern>), not a relative path.",
        ),
      ),
    },
  },
  {
    files: ["src/lib/auth/providers/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrict(...providerImports) },
  },
  {
    // The one place that imports Clerk.
    files: ["src/lib/auth/providers/clerk/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrictWithClerk(...providerImports) },
  },
  {
    // Pages take the identity provider's sign-in screens from their own entry (they import server
    // actions, whose form wrapper imports @/lib/auth itself).
    files: ["src/app/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrict(deepImport("client|edge|routes|screens")) },
  },
  {
    files: ["tests/**/*.{ts,tsx}", "bench/**/*.ts"],
    rules: { "no-restricted-imports": restrict() },
  },
  {
    files: ["src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": restrict(
        DEEP_IMPORT,
        noImportsOf("^@/(app|features)(/|$)", "Shared UI imports no feature or page."),
      ),
    },
  },
  {
    files: ["src/features/*/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": restrict(
        DEEP_IMPORT,
        noImportsOf("^@/app(/|$)", "Features import no page or route."),
        noImportsOf(
          "^\\.\\./",
          "Import another feature through its index (@/features/<feature>), not a relative path.",
        ),
      ),
    },
  },
  {
    files: ["src/features/*/components/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": restrict(
        DEEP_IMPORT,
        noImportsOf("^@/app(/|$)", "Features import no page or route."),
        noImportsOf("^\\.\\./\\.\\./", "Import another feature through its index (@/features/<feature>)."),
      ),
    },
  },
  {
    // The migrator, seed and backups are command-line tools under db/: they take configuration from
    // @/lib/env (the same secret reader as the app) and nothing else from src/.
    files: ["db/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict(
        DEEP_IMPORT,
        noImportsOf("^@/(?!lib/env$)", "db/ is the bottom layer: it may only read configuration (@/lib/env)."),
      ),
    },
  },
];

export default config;
