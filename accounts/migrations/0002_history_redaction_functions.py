"""The one write past the history's triggers: a closed account taken out of a history table
or the request contexts, by two SECURITY DEFINER functions that check what they are asked
and record each use (core.HistoryRedaction; accounts/privacy.py)."""

from django.db import migrations

REDACTION_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION nabolaget_history_redact(
    account bigint, event_table regclass, account_column name, delete_rows boolean
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    previous text := current_setting('pgtrigger.ignore', true);
    triggers text;
    affected bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM accounts_user WHERE id = account AND closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'History is redacted only for a closed account, not %', account;
    END IF;
    -- Only pghistory's event tables, and only a column of the account's type.
    IF NOT EXISTS (
        SELECT FROM pg_attribute
         WHERE attrelid = event_table AND attname = 'pgh_obj_id' AND NOT attisdropped
    ) OR NOT EXISTS (
        SELECT FROM pg_attribute
         WHERE attrelid = event_table AND attname = account_column AND NOT attisdropped
           AND atttypid IN ('bigint'::regtype, 'integer'::regtype)
    ) THEN
        RAISE EXCEPTION '% is not a history table with an account column %', event_table,
            account_column;
    END IF;
    SELECT '{' || string_agg(tgname, ',') || '}' INTO triggers
      FROM pg_trigger WHERE tgrelid = event_table AND NOT tgisinternal;
    PERFORM set_config('pgtrigger.ignore', triggers, true);
    IF delete_rows THEN
        EXECUTE format('DELETE FROM %s WHERE %I = $1', event_table, account_column)
          USING account;
    ELSE
        EXECUTE format('UPDATE %s SET %I = NULL WHERE %I = $1', event_table, account_column,
                       account_column)
          USING account;
    END IF;
    GET DIAGNOSTICS affected = ROW_COUNT;
    PERFORM set_config('pgtrigger.ignore', coalesce(previous, ''), true);
    INSERT INTO core_historyredaction (account, target, rows, database_role)
    VALUES (account, format('%s.%s', event_table, account_column), affected, session_user);
    RETURN affected;
END;
$$;

CREATE OR REPLACE FUNCTION nabolaget_context_forget_account(account bigint, contexts uuid[])
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    previous text := current_setting('pgtrigger.ignore', true);
    triggers text;
    affected bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM accounts_user WHERE id = account AND closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'History is redacted only for a closed account, not %', account;
    END IF;
    SELECT '{' || string_agg(tgname, ',') || '}' INTO triggers
      FROM pg_trigger WHERE tgrelid = 'pghistory_context'::regclass AND NOT tgisinternal;
    PERFORM set_config('pgtrigger.ignore', triggers, true);
    UPDATE pghistory_context SET metadata = metadata - 'user'
     WHERE id = ANY(contexts) AND metadata -> 'user' = to_jsonb(account);
    GET DIAGNOSTICS affected = ROW_COUNT;
    PERFORM set_config('pgtrigger.ignore', coalesce(previous, ''), true);
    INSERT INTO core_historyredaction (account, target, rows, database_role)
    VALUES (account, 'pghistory_context.metadata.user', affected, session_user);
    RETURN affected;
END;
$$;
"""

REDACTION_FUNCTIONS_DROP_SQL = """
DROP FUNCTION IF EXISTS nabolaget_history_redact(bigint, regclass, name, boolean);
DROP FUNCTION IF EXISTS nabolaget_context_forget_account(bigint, uuid[]);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("core", "0002_trigger_ignore_owner_only")]

    operations = [migrations.RunSQL(REDACTION_FUNCTIONS_SQL, REDACTION_FUNCTIONS_DROP_SQL)]
