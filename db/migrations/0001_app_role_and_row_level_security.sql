-- Hand-written: the application role, its grants, and row-level security (ADR 0010).
--
-- Tenant queries run inside withTenant(), which does `SET LOCAL ROLE slipway_app` and
-- `set_config('app.tenant_id', <id>, true)`. slipway_app is NOLOGIN, owns nothing and is not a
-- superuser, so row-level security always applies to it.
--
-- Roles are cluster-wide while this migration runs once per database: several databases of one
-- cluster (staging and preview databases, test databases) may run it, even at the same moment.
-- Creating the role is therefore conditional and tolerates losing a race.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slipway_app') THEN
    BEGIN
      CREATE ROLE slipway_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it first
    END;
  END IF;
END
$$;
--> statement-breakpoint
-- The connecting user (the one running migrations and the app) must be allowed to SET ROLE to it.
-- Superusers always are; on PostgreSQL 16+ a CREATEROLE creator holds ADMIN but not SET by default.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 160000 THEN
    IF NOT pg_has_role(current_user, 'slipway_app', 'SET') THEN
      EXECUTE format('GRANT slipway_app TO %I WITH SET TRUE', current_user);
    END IF;
  ELSIF NOT pg_has_role(current_user, 'slipway_app', 'MEMBER') THEN
    EXECUTE format('GRANT slipway_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO slipway_app;
--> statement-breakpoint
-- Not tenant-owned: written only by the connecting user (webhooks, seed); the app role reads them
-- through the policies below.
GRANT SELECT ON TABLE tenants, users TO slipway_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE memberships, projects TO slipway_app;
--> statement-breakpoint
-- Append-only: no UPDATE or DELETE for the application, ever.
GRANT SELECT, INSERT ON TABLE audit_events TO slipway_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_events_id_seq TO slipway_app;
--> statement-breakpoint
-- Tenant-owned tables: ENABLE + FORCE, so the policies bind the table owner too (only superusers
-- and BYPASSRLS roles skip them). With no tenant set, nullif(...) is NULL and no row matches:
-- reads return nothing and writes fail WITH CHECK.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY memberships_tenant_isolation ON memberships
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
-- A signed-in user may list their own memberships across tenants (organization switcher), via
-- withUser(), which sets app.user_id. Read-only.
CREATE POLICY memberships_own_rows ON memberships FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY projects_tenant_isolation ON projects
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Only SELECT and INSERT policies: an UPDATE or DELETE matches no row even for a non-superuser owner.
CREATE POLICY audit_events_tenant_read ON audit_events FOR SELECT
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY audit_events_tenant_insert ON audit_events FOR INSERT
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
-- tenants and users: RLS enabled but not forced (the connecting user manages them freely); the app
-- role sees its current tenant, and the tenants and users it can see memberships of.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenants_app_read ON tenants FOR SELECT TO slipway_app
  USING (
    id = nullif(current_setting('app.tenant_id', true), '')::uuid
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = tenants.id)
  );
--> statement-breakpoint
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY users_app_read ON users FOR SELECT TO slipway_app
  USING (
    id = nullif(current_setting('app.user_id', true), '')::uuid
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id)
  );
