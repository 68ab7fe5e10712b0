// Types for scripts/generate-secrets.mjs.
export declare const APP_UID: number;
export declare const POSTGRES_UID: number;
export type Reader = "app" | "app+prometheus" | "grafana" | "alertmanager" | "postgres" | "redis" | "backup";
export declare const READERS: Record<Reader, { uid?: number; gid?: number; mode: number }>;
export interface SecretSpec {
  name: string;
  readBy: Reader;
  external?: boolean;
  generate: (values: Record<string, string | undefined>) => string;
}
export declare const SECRETS: SecretSpec[];
export declare function generateSecrets(
  dir: string,
  options?: {
    log?: (line: string) => void;
    uid?: number;
    chown?: (file: string, uid: number, gid: number) => void;
  },
): Record<string, "created" | "kept">;
