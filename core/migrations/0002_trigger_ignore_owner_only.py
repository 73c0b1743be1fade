"""pgtrigger's way around the triggers (``pgtrigger.ignore``) is honoured for the role that
owns the tables only (core/history.py)."""

from django.db import migrations

IGNORE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        -- pgtrigger.ignore is honoured only for the owner role (core/history.py).
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgtrigger_ignore IS NULL OR NOT trigger_name = ANY(_pgtrigger_ignore) THEN
            RETURN FALSE;
        END IF;
        RETURN pg_has_role(
            current_user,
            (SELECT proowner FROM pg_proc
              WHERE oid = '"public"._pgtrigger_should_ignore(name)'::regprocedure),
            'MEMBER'
        );
    END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunSQL(IGNORE_FUNCTION_SQL, migrations.RunSQL.noop)]
