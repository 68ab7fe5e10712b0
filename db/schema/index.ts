export * from "./text";
export * from "./tenants";
export * from "./users";
export * from "./memberships";
export * from "./projects";
export * from "./audit-events";
export * from "./webhook-events";
export * from "./revoked-sessions";
