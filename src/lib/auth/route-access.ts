/** Where auth sends people (which paths need what is the route table's, src/routes.ts). */
export const SIGN_IN_PATH = "/sign-in";
export const SIGN_UP_PATH = "/sign-up";
export const SELECT_ORGANIZATION_PATH = "/select-organization";
/** Where a signed-in user with an organization lands. */
export const HOME_PATH = "/projects";
