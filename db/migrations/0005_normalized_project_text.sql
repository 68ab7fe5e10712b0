-- Generated (the length checks), then hand-written: text is counted in the characters people see
-- and stored NFC-normalized (ADR 0019, @/lib/text).
--
-- The application counts user-perceived characters (a flag or an emoji family is one); PostgreSQL
-- counts code points, so its bounds become CODE_POINTS_PER_CHARACTER (10) per character of the
-- limit (db/schema/text.ts). They are looser than the checks they replace, which every row already
-- met: NOT VALID spares reading the whole table under this migration's lock.
ALTER TABLE "projects" DROP CONSTRAINT "projects_name_length";--> statement-breakpoint
ALTER TABLE "projects" DROP CONSTRAINT "projects_description_length";--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_name_length" CHECK (char_length("projects"."name") between 1 and 1000) NOT VALID;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_description_length" CHECK (char_length("projects"."description") <= 20000) NOT VALID;--> statement-breakpoint
-- One spelling per name, whoever writes it: the application normalizes first, and this covers the
-- rest (the previous release during a rollout, an operator's SQL), so the unique constraint sees
-- "Café" typed with a composed é and with e + combining accent as one name.
CREATE FUNCTION slipway_normalize_project_text() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
  NEW.name := normalize(NEW.name, NFC);
  NEW.description := normalize(NEW.description, NFC);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER projects_normalized_text BEFORE INSERT OR UPDATE OF name, description ON projects
  FOR EACH ROW EXECUTE FUNCTION slipway_normalize_project_text();--> statement-breakpoint
-- Rows written before. Row-level security binds the table's owner too (FORCE), and this migration
-- sets no tenant: lifted for the backfill only, inside this migration's transaction.
ALTER TABLE projects NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Two projects of one tenant whose names normalize to one name were accepted as different: they
-- keep apart, visibly, with the start of their id appended.
UPDATE projects AS p
SET
  name = normalize(p.name, NFC) || CASE
    WHEN EXISTS (
      SELECT 1 FROM projects AS q
      WHERE q.tenant_id = p.tenant_id AND q.id <> p.id AND normalize(q.name, NFC) = normalize(p.name, NFC)
    ) THEN ' (' || left(p.id::text, 8) || ')'
    ELSE ''
  END,
  description = normalize(p.description, NFC)
WHERE p.name IS NOT NFC NORMALIZED OR p.description IS NOT NFC NORMALIZED;--> statement-breakpoint
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
