import { getAuthMode, type AuthMode } from "@/lib/env";
import type { IdentityProvider, Session } from "../provider";
import { clerkProvider } from "./clerk";
import { localProvider } from "./local";

/**
 * The identity providers, by auth mode (docs/auth.md): the server facet of each. Their proxy steps
 * are registered in ../proxy.ts and their screens in ../screens.tsx. Adding one: a folder beside
 * ./local and ./clerk, its mode in src/lib/env, and an entry in each of the three lists.
 */
const PROVIDERS: { [Mode in AuthMode]: IdentityProvider<Session & { provider: Mode }> } = {
  local: localProvider,
  clerk: clerkProvider,
};

/**
 * The provider this process authenticates with (chosen by the auth mode, once per process), or the
 * one named (a webhook route names the provider that sends it). Its methods take the sessions it
 * reads itself, and only those reach them: a process runs one provider.
 */
export function identityProvider(mode: AuthMode = getAuthMode()): IdentityProvider<Session> {
  return PROVIDERS[mode];
}
