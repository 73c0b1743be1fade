-- What the web role may do in one Nabolaget database: run it in that database as a
-- superuser (or the database's owner) whenever roles or tables may have changed owner.
-- scripts/ensure-db.sh runs it in the private cluster's databases and in template1; with
-- your own server (DATABASE_URL) a DBA runs it after creating the two roles:
--
--   psql -v owner=nabolaget_owner -v web=nabolaget -d DBNAME -f scripts/db-grants.sql
--
-- The owner role owns the schema's tables and runs the migrations. The web role (the site
-- and the worker) reads and writes rows and nothing else: no TRUNCATE, REFERENCES or
-- TRIGGER, no DDL (CREATE on the schema is not granted), nothing owned. Row-level rules
-- (append-only records, their history) are the triggers' business, for every role.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT set_config('nabolaget.owner', :'owner', false) AS owner_set,
       set_config('nabolaget.web', :'web', false) AS web_set \gset

-- The schema: the owner creates in it, the web role only uses it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"web";

-- Tables made later by the owner (migrations, createcachetable) are granted at once.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"web";
-- UPDATE on sequences: loaddata (the demo, fixtures) sets them past the rows it loads.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"web";

-- Tables there already: the owner's get exactly the grants above (an older set-up had the
-- web role own them, and TRUNCATE with ownership).
DO $$
DECLARE
    owner_role regrole := current_setting('nabolaget.owner')::regrole;
    web_role text := quote_ident(current_setting('nabolaget.web'));
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name, c.relkind
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relowner = owner_role
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    LOOP
        IF item.relkind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %s TO %s', item.name, web_role);
        ELSE
            EXECUTE format('REVOKE ALL ON %s FROM %s', item.name, web_role);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', item.name, web_role);
        END IF;
    END LOOP;
END
$$;
