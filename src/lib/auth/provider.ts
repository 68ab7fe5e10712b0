import type { NextFetchEvent, NextRequest, NextResponse } from "next/server";
import type { ReactNode } from "react";
import type { Role } from "@db/schema";
import type { Transaction } from "@/lib/db";
import type { AuthMode } from "@/lib/env";
import type { RouteClass } from "@/lib/http/routes";

/**
 * The identity-provider seam (docs/decisions/0067-one-auth-seam.md). An identity provider says who
 * is asking; everything else (verifying the caller against the database in the transaction of
 * their query, tenants, roles, row-level security) is the provider-neutral core of src/lib/auth.
 * Each provider lives in one folder, ./providers/<name>/, and is registered in three lists, one per
 * facet, so each bundle loads only what it needs:
 *   - the server facet (this interface): ./providers/index.ts
 *   - the proxy step (ProxyStep, optional): ./proxy.ts (src/proxy.ts's small bundle)
 *   - the screens (AuthScreens): ./screens.tsx (the pages' sign-in UI and account menu)
 */

/**
 * Who the request's credentials say is asking: a claim, checked for authenticity (signature,
 * expiry) by the provider but not yet against the database. The core reads only these fields; a
 * provider adds its own and receives back only sessions it read.
 */
export interface Session {
  readonly provider: AuthMode;
  /** The caller in their tenant: what per-caller rate limits count by. */
  readonly key: string;
  /** The tenant the session names (per-tenant quotas), or null when it names none. */
  readonly tenantKey: string | null;
  /** What a refusal of this session is remembered by (./rejected-sessions.ts). */
  readonly rejectionKey: string;
}

/** The internal ids a session names: what the core's verification (enterScope) checks. */
export interface CallerIds {
  userId: string;
  tenantId: string | null;
  /** A session id the database can revoke (revoked_sessions), when the provider has one. */
  sessionId: string | null;
}

/** Accounts kept by this app (members are invited, signed in and signed out here). */
export interface InAppAccounts {
  /** Signs `userId` in, in `tenantId`, ending the request's current session first. */
  signInAs(userId: string, tenantId: string): Promise<void>;
  /** Creates a user this provider signs in, inside `tx` as the connecting role; returns the id. */
  createUser(tx: Transaction, user: { email: string; name: string }): Promise<string>;
}

export interface IdentityProvider<S extends Session = Session> {
  /** The request's session, or null when signed out. No database access. */
  readSession(): Promise<S | null>;
  /** The internal ids `session` names, inside `tx` as the connecting role (a provider may provision them here). */
  callerIds(tx: Transaction, session: S): Promise<CallerIds>;
  /**
   * After the database accepted the caller: the role the provider holds authoritative for them in
   * their tenant, written when it differs from the stored one or there is no membership yet
   * (returns the new role), else null.
   */
  reconcileRole?(
    tx: Transaction,
    session: S,
    member: { userId: string; tenantId: string; role: Role | null },
  ): Promise<Role | null>;
  /**
   * Where members are managed: `accounts` when this app keeps them (invitations, sign-in as a new
   * user), else in the provider's own organization settings, named in messages ("Clerk").
   */
  readonly members: { accounts: InAppAccounts } | { managedBy: string };
  /** Provisioning deliveries (the provider's webhooks): verified, then applied. */
  receiveWebhook?(delivery: WebhookDelivery): Promise<WebhookReceipt>;
}

/** A webhook request: its headers, and its body read on demand (within the route table's limit; exactly the bytes signed). */
export interface WebhookDelivery {
  headers: Headers;
  text(): Promise<string>;
}

/** What a provisioning webhook's route answers. */
export interface WebhookReceipt {
  id: string;
  type: string;
  duplicate: boolean;
  changes: number;
}

/**
 * The provider's step in src/proxy.ts: a response to send (a redirect, the provider's handshake, or
 * `proceed()` decorated for it), or undefined to continue with `proceed()`.
 */
export type ProxyStep = (
  request: NextRequest,
  event: NextFetchEvent,
  routeClass: RouteClass,
  proceed: () => NextResponse,
) => Promise<Response | undefined>;

/** The provider's sign-in UI and account menu, rendered by ./screens.tsx. */
export interface AuthScreens {
  Provider: (props: { children: ReactNode }) => ReactNode;
  SignInScreen: () => ReactNode | Promise<ReactNode>;
  SignUpScreen: () => ReactNode | Promise<ReactNode>;
  OrganizationPicker: () => ReactNode | Promise<ReactNode>;
  AccountMenu: () => ReactNode | Promise<ReactNode>;
}
