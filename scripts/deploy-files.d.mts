// Types for scripts/deploy-files.mjs (plain ESM so scripts run it without a compiler).
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export declare const root: string;
export declare function read(file: string): string;
export declare function exists(file: string): boolean;
export declare const MIGRATOR_COMMAND: string;

export declare class ComposeTag {
  constructor(tag: "!reset" | "!override", value: unknown);
  tag: "!reset" | "!override";
  value: unknown;
}
export declare function parseCompose(text: string): Json;
export declare function untagCompose(value: unknown): Json;
export declare function mergeCompose(base: Json, overlay: Json, key?: string): Json;
export declare const COMPOSE_FILES: { base: string; production: string };
export declare function readCompose(): { base: Json; production: Json | undefined; merged: Json | undefined };
export declare function defaultServices(config: Json): Record<string, Json>;
export declare function composeDurationSeconds(value: string | number): number;

export interface DockerInstruction {
  keyword: string;
  args: string;
  json?: unknown;
}
export interface DockerStage {
  name: string;
  from: string;
  instructions: DockerInstruction[];
}
export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: DockerStage[];
}
export declare function parseDockerfile(text: string): Dockerfile;
export declare function parseKeyValues(args: string): Record<string, string>;
export declare function stageInstructions(
  dockerfile: Dockerfile,
  stageName: string,
  keyword: string,
): DockerInstruction[];
export declare function stageEnv(dockerfile: Dockerfile, stageName: string): Record<string, string>;
export declare function readDockerfile(): Dockerfile;
export declare function readDockerignore(): string[];
export declare function isDockerIgnored(patterns: string[], file: string): boolean;

export declare const PLATFORM_FILES: {
  fly: "fly.toml";
  railway: "railway.json";
  render: "render.yaml";
  compose: "compose.production.yaml";
};
export type Platform = keyof typeof PLATFORM_FILES;
export declare const TARGET_FILES: Record<Platform, string[]>;
export declare function readRailwayWorker(): Json | undefined;
export declare function readPlatformManifests(): { fly?: Json; railway?: Json; render?: Json };
export declare function readFly(): Json;
export declare function readRailway(): Json;
export declare function readRender(): Json;
export declare function readWorkflows(): Record<string, { text: string; data: Json }>;
export declare function flyDurationSeconds(value: string | number): number;
export declare function appRoutes(): Set<string>;

export declare const DATABASE_IMAGE: { context: string; dockerfile: string };
export declare function readDatabaseDockerfile(): Dockerfile;
export declare function databaseContextFiles(): string[];
export declare function contextTypeScriptSources(): Record<string, string>;
export declare function parseIni(text: string): Record<string, Record<string, string>>;
export interface PostgresqlConf {
  settings: Record<string, string>;
  includes: { kind: "include" | "include_if_exists" | "include_dir"; path: string }[];
}
export declare function parsePostgresqlConf(text: string): PostgresqlConf;
export declare function readBackupConfig(): {
  pgbackrest: Record<string, Record<string, string>>;
  offsite: Record<string, Record<string, string>>;
  postgresql: PostgresqlConf;
  archiving: PostgresqlConf;
  schedule: string;
  entrypoint: string;
};
