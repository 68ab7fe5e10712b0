// Types for scripts/generate-secrets.mjs.
export declare const APP_UID: number;
export interface SecretSpec {
  name: string;
  readBy: "app" | "postgres" | "redis";
  external?: boolean;
  generate: (values: Record<string, string | undefined>) => string;
}
export declare const SECRETS: SecretSpec[];
export declare function generateSecrets(
  dir: string,
  options?: { log?: (line: string) => void; uid?: number },
): Record<string, "created" | "kept">;
