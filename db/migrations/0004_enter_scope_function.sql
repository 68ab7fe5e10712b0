-- Hand-written: the one way into a row-level-security scope (ADR 0016), and what it needs.
--
-- slipway_enter_scope(tenant, user, session) sets app.tenant_id and app.user_id for the rest of the
-- transaction, becomes the application role (SET LOCAL ROLE slipway_app, through set_config), and
-- then, as slipway_app and therefore under row-level security, verifies the caller in the same
-- statement: the user exists and is not deleted, the session is not revoked, the tenant exists and
-- is not deleted, and the user's role in it. One statement where there were eight: a tenant API
-- request is BEGIN, this, its query, COMMIT.
--
-- Returns no row when the user is unknown, deleted or the session revoked (signed out); tenant_id
-- and role are NULL when there is no such tenant or no membership in it. With user NULL it only
-- enters the scope (trusted server code: webhooks, seeds).

GRANT SELECT ON TABLE revoked_sessions TO slipway_app;
--> statement-breakpoint
ALTER TABLE revoked_sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY revoked_sessions_own_rows ON revoked_sessions FOR SELECT TO slipway_app
  USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
CREATE FUNCTION slipway_enter_scope(scope_tenant_id uuid, scope_user_id uuid, scope_session_id text)
RETURNS TABLE (user_name text, user_email text, tenant_id uuid, tenant_name text, tenant_slug text, role membership_role)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.tenant_id', coalesce(scope_tenant_id::text, ''), true);
  PERFORM set_config('app.user_id', coalesce(scope_user_id::text, ''), true);
  PERFORM set_config('role', 'slipway_app', true);
  IF scope_user_id IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT u.name, u.email, t.id, t.name, t.slug, m.role
    FROM public.users u
    LEFT JOIN public.tenants t ON t.id = scope_tenant_id AND t.deleted_at IS NULL
    LEFT JOIN public.memberships m ON m.tenant_id = t.id AND m.user_id = u.id
    WHERE u.id = scope_user_id
      AND u.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM public.revoked_sessions r WHERE r.id = scope_session_id);
END
$$;
