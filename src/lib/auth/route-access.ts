/** Where auth sends people (which paths need what is the route table's, src/routes.ts). */
export const SIGN_IN_PATH = "/sign-in";
export const SIGN_UP_PATH = "/sign-up";
export const SELECT_ORGANIZATION_PATH = "/select-organization";
/** Where a signed-in user with an organization lands. */
export const HOME_PATH = "/projects";

/** The origins allowed as a session token's `azp`: CLERK_AUTHORIZED_PARTIES, else APP_URL's origin. */
export function authorizedPartiesOf(env: {
  CLERK_AUTHORIZED_PARTIES?: string[];
  APP_URL?: string;
}): string[] | undefined {
  if (env.CLERK_AUTHORIZED_PARTIES && env.CLERK_AUTHORIZED_PARTIES.length > 0) {
    return env.CLERK_AUTHORIZED_PARTIES.map((party) => party.replace(/\/+$/, ""));
  }
  return env.APP_URL ? [new URL(env.APP_URL).origin] : undefined;
}
