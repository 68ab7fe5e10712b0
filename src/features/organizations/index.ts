/** Organizations, users and memberships kept in step with Clerk: webhooks and their provisioning. */
export { receiveClerkWebhook } from "./clerk-webhook";
