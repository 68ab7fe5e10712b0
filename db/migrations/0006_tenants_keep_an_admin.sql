-- Hand-written: every live tenant keeps at least one admin, whatever the interleaving (ADR 0018).
--
-- Reading the members and then changing one lets two admins each leave the other as "the other
-- admin" and both go: each check saw the other still there. So the rule is checked by PostgreSQL,
-- at COMMIT (deferred: a transaction may demote one admin and promote another in either order),
-- after taking the tenant's row: the second of two concurrent changes waits for the first to
-- commit, then counts again and sees it.
--
-- The row is taken with an UPDATE (of nothing), not SELECT ... FOR UPDATE: the application role may
-- not lock tenants (the function runs as its owner for that), and a REPEATABLE READ or SERIALIZABLE
-- transaction that updates a row another committed meanwhile fails (40001, retried by withTenant)
-- instead of counting from its old snapshot.
--
-- Not checked: tenants already deleted (deleted_at), and changes mirrored from the identity
-- provider (the Clerk webhook and session sync set app.identity_provider_sync through inScope):
-- Clerk owns memberships in Clerk mode, and a deleted Clerk user's memberships must go.
CREATE FUNCTION slipway_keep_an_admin() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  scope text := current_setting('app.tenant_id', true);
  admin_left boolean;
BEGIN
  IF current_setting('app.identity_provider_sync', true) = 'on' THEN
    RETURN NULL;
  END IF;
  UPDATE public.tenants SET updated_at = updated_at WHERE id = OLD.tenant_id AND deleted_at IS NULL;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- memberships' row-level security binds this function's owner too (FORCE): count in the tenant's scope.
  PERFORM set_config('app.tenant_id', OLD.tenant_id::text, true);
  SELECT EXISTS (SELECT 1 FROM public.memberships WHERE tenant_id = OLD.tenant_id AND role = 'admin')
    INTO admin_left;
  PERFORM set_config('app.tenant_id', coalesce(scope, ''), true);
  IF NOT admin_left THEN
    RAISE EXCEPTION 'organization % would be left without an admin', OLD.tenant_id
      USING ERRCODE = 'integrity_constraint_violation',
        CONSTRAINT = 'memberships_keep_an_admin',
        HINT = 'Make another member an admin first.';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER memberships_keep_an_admin
  AFTER UPDATE OF role OR DELETE ON memberships
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (OLD.role = 'admin')
  EXECUTE FUNCTION slipway_keep_an_admin();
