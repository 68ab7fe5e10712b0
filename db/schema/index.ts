export * from "./tenants";
export * from "./users";
export * from "./memberships";
export * from "./projects";
export * from "./audit-events";
