import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

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
    ignores: ["src/lib/env/**", "src/instrumentation*.ts", "src/lib/shutdown/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through @/lib/env." },
      ],
    },
  },
];

export default config;
