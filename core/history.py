"""Records that stay on the record: the pieces their database triggers are built from.

Append-only models (submissions, status changes, consultations, attachments, frozen
digests) are protected by triggers (django-pgtrigger) in the database itself, so the
ORM, ``QuerySet.update``, ``bulk_create`` and raw SQL are all refused alike. Their
history (django-pghistory event tables) is append-only too, and each history row
points to the context of the change: the acting user, the URL and the HTTP method
(``HistoryMiddleware`` below).

The protection stops the application and anyone using its database role (the web role,
which owns nothing): TRUNCATE is refused by a statement trigger on every such table (and
the web role has no TRUNCATE privilege), and pgtrigger's way around the triggers
(``pgtrigger.ignore``) is honoured only for the role that owns the tables
(``IGNORE_FUNCTION_SQL``). The one write the web role may make past them, redacting a
closed account's history, goes through two SECURITY DEFINER functions that check what
they are asked and record each use (``core.HistoryRedaction``). The owner role and
a database superuser can still disable triggers, which is what the audit log of
PostgreSQL and the backups (``make backup``) are for.
"""

from __future__ import annotations

from typing import Any

import pghistory.middleware
import pgtrigger


def never_truncated(name: str) -> pgtrigger.Trigger:
    """A statement trigger refusing TRUNCATE (which row triggers never see), also when the
    table is emptied through TRUNCATE ... CASCADE of another."""
    return pgtrigger.Trigger(
        name=f"{name}_never_truncated",
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the % table: it is on the record', "
        "TG_TABLE_NAME;",
    )


def append_only_history(name: str) -> dict[str, Any]:
    """``Meta`` options for a pghistory event model: its rows are never changed or deleted.

    ``name`` is the event model's name in lower case; it keeps the trigger names unique.
    """
    return {
        "triggers": [
            pgtrigger.Protect(
                name=f"{name}_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            never_truncated(name),
        ]
    }


def only_cleared(name: str, field: str) -> pgtrigger.Protect:
    """A trigger that lets ``field`` (a foreign key to an account) change only to NULL,
    which is what deleting that account does (``on_delete=SET_NULL``)."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(**{f"old__{field}__df": pgtrigger.F(f"new__{field}")})
        & pgtrigger.Q(**{f"new__{field}__isnull": False}),
    )


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's context for every change a request makes: user id, URL and method.

    The user is updated when Django REST framework authenticates a token later in the
    request (pghistory's request class watches ``request.user``).
    """

    def get_context(self, request) -> dict[str, Any]:
        return {**super().get_context(request), "method": request.method}


# pgtrigger's triggers skip themselves when their name is in the setting pgtrigger.ignore,
# which any session may set. Here that is honoured only for a member of the role that owns
# this function, i.e. the owner role that ran the migrations (and a superuser): the web role
# setting it changes nothing. pgtrigger writes its own version of this function each time a
# migration installs a trigger, so ``ignore_function_install`` puts this one back after
# every migrate (nabolaget.apps).
IGNORE_FUNCTION_MARK = "honoured only for the owner role"
IGNORE_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        -- pgtrigger.ignore is {IGNORE_FUNCTION_MARK} (core/history.py).
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


def ignore_function_install(using: str) -> None:
    """Put the owner-only ``_pgtrigger_should_ignore`` back if pgtrigger replaced it (on a
    connection that may: a flush's post_migrate on the web role's skips it)."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT prosrc, pg_has_role(current_user, proowner, 'USAGE') FROM pg_proc "
            "WHERE oid = to_regprocedure('\"public\"._pgtrigger_should_ignore(name)')"
        )
        row = cursor.fetchone()
        if row is None or (IGNORE_FUNCTION_MARK not in row[0] and row[1]):
            cursor.execute(IGNORE_FUNCTION_SQL)


REDACTION_FUNCTIONS_DROP_SQL = """
DROP FUNCTION IF EXISTS nabolaget_history_redact(bigint, regclass, name, boolean);
DROP FUNCTION IF EXISTS nabolaget_context_forget_account(bigint, uuid[]);
"""
