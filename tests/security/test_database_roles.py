"""The web role (the site and the worker) cannot step around the database's rules.

The tests run as the web role, as the site does (tests/conftest.py); each statement here is
raw SQL, what an attacker who got hold of the site's database connection would send.
"""

from __future__ import annotations

import pghistory.models
import pgtrigger
import pytest
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from accounts.models import Role
from accounts.privacy import account_close
from core.models import HistoryRedaction
from priorities import services
from priorities.models import PriorityStatusChange
from tests.priorities.factories import UserFactory, make_priority, staff

# The records whose rows must survive a compromised site (issue 12, item 3).
RECORD_TABLES = [
    "priorities_prioritystatuschange",
    "councils_submission",
    "councils_submissionattachment",
    "cases_frozendigest",
    "cases_frozendigestpdf",
    "councils_consultation",
    "priorities_prioritycaselink",
    "councils_submissioncaselink",
    "councils_submissionstatuschange",
    "priorities_prioritystatuschangeevent",
    "pghistory_context",
]


def refused(sql: str, params=None, *, using=connection) -> str:
    """Run ``sql`` in a savepoint; return the database's message, or fail if it ran."""
    try:
        with transaction.atomic(using=using.alias), using.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    pytest.fail(f"The database ran: {sql}")


def pgid(model, name: str) -> str:
    return next(t.get_pgid(m) for m, t in pgtrigger.registered() if m is model and t.name == name)


@pytest.fixture
def answer(db) -> PriorityStatusChange:
    priority = make_priority()
    services.input_set_status(
        records=[priority],
        status="decided",
        public_text="Vedtatt i bystyret.",
        actor=staff(Role.PLANNER),
    )
    return PriorityStatusChange.objects.get(record=priority)


# --- item 2: the web role is not a superuser and owns nothing ---------------------------


@pytest.mark.django_db
def test_the_web_role_is_no_superuser_and_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False, False)
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole), "
            "(SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole), "
            "(SELECT count(*) FROM pg_database WHERE datdba = current_user::regrole)"
        )
        assert cursor.fetchone() == (0, 0, 0)
        cursor.execute(
            "SELECT r FROM unnest(ARRAY['pg_read_server_files', 'pg_write_server_files', "
            "'pg_execute_server_program']) r WHERE pg_has_role(current_user, r, 'MEMBER')"
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_the_web_role_cannot_turn_off_triggers(answer):
    assert "permission denied to set parameter" in refused("SET session_replication_role = replica")
    for table in RECORD_TABLES:
        assert "must be owner of" in refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    trigger = pgid(PriorityStatusChange, "prioritystatuschange_read_only")
    assert "must be owner of" in refused(
        f"DROP TRIGGER {trigger} ON priorities_prioritystatuschange"
    )


@pytest.mark.django_db
def test_the_web_role_cannot_read_server_files_or_run_programs():
    assert "permission denied for function pg_read_file" in refused(
        "SELECT pg_read_file('/etc/passwd')"
    )
    assert "pg_read_server_files" in refused(
        "CREATE TEMP TABLE stolen (line text); COPY stolen FROM '/etc/passwd'"
    )
    assert "pg_execute_server_program" in refused("COPY (SELECT 1) TO PROGRAM 'id'")
    assert "pg_write_server_files" in refused("COPY (SELECT 1) TO '/tmp/nabolaget-out'")


@pytest.mark.django_db
def test_the_web_role_cannot_change_the_schema():
    assert "permission denied for schema public" in refused("CREATE TABLE public.x (id int)")
    assert "must be owner of" in refused("ALTER TABLE priorities_priority ADD COLUMN x int")
    assert "permission denied for schema public" in refused(
        "CREATE OR REPLACE FUNCTION _pgtrigger_should_ignore(trigger_name name) "
        "RETURNS boolean AS $$ SELECT true $$ LANGUAGE sql"
    )


# --- item 3: append-only without gaps ---------------------------------------------------


@pytest.mark.django_db
def test_the_web_role_cannot_truncate_the_records(answer):
    for table in RECORD_TABLES:
        assert f"permission denied for table {table}" in refused(f"TRUNCATE {table} CASCADE")
    assert PriorityStatusChange.objects.filter(pk=answer.pk).exists()


@pytest.mark.django_db(databases=["default", "owner"])
def test_truncating_the_records_is_refused_to_the_owner_too():
    owner = connections["owner"]
    for table in RECORD_TABLES:
        message = refused(f"TRUNCATE {table} CASCADE", using=owner)
        assert f"Cannot truncate the {table} table: it is on the record" in message
    # Emptied through the table it refers to: the same.
    message = refused("TRUNCATE priorities_category CASCADE", using=owner)
    assert "Cannot truncate the" in message


@pytest.mark.django_db
def test_pgtrigger_ignore_does_not_let_the_web_role_rewrite_an_answer(answer):
    names = "{" + pgid(PriorityStatusChange, "prioritystatuschange_read_only") + "}"
    message = refused(
        "SELECT set_config('pgtrigger.ignore', %s, true); "
        "UPDATE priorities_prioritystatuschange SET public_text = 'Omskrevet i ettertid.' WHERE id = %s",
        [names, answer.pk],
    )
    assert "Cannot update rows from priorities_prioritystatuschange table" in message
    message = refused(
        "SELECT set_config('pgtrigger.ignore', %s, true); "
        "DELETE FROM priorities_prioritystatuschange WHERE id = %s",
        ["{" + pgid(PriorityStatusChange, "prioritystatuschange_never_deleted") + "}", answer.pk],
    )
    assert "Cannot delete rows from priorities_prioritystatuschange table" in message
    answer.refresh_from_db()
    assert answer.public_text == "Vedtatt i bystyret."


@pytest.mark.django_db
def test_a_request_context_cannot_be_rewritten_or_deleted_later():
    """Who did what stays: a context made by an earlier transaction is never changed, also
    through pghistory's own upsert or with pgtrigger.ignore set."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            'VALUES (gen_random_uuid(), \'{"user": 7, "url": "/"}\', now() - interval \'1 day\', '
            "now() - interval '1 day') RETURNING id"
        )
        (context,) = cursor.fetchone()
    ignore = "{" + ",".join(t.get_pgid(m) for m, t in pgtrigger.registered()) + "}"
    for sql, params in [
        ("UPDATE pghistory_context SET metadata = '{\"user\": 8}' WHERE id = %s", [context]),
        (
            "SELECT set_config('pgtrigger.ignore', %s, true); "
            "UPDATE pghistory_context SET metadata = '{\"user\": 8}' WHERE id = %s",
            [ignore, context],
        ),
        # pghistory's upsert, told to attach to the old context with other metadata.
        (
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', '{\"user\": 8}', true), "
            "_pgh_attach_context()",
            [str(context)],
        ),
    ]:
        assert "Cannot update rows from pghistory_context table" in refused(sql, params)
    assert "Cannot delete rows from pghistory_context table" in refused(
        "DELETE FROM pghistory_context WHERE id = %s", [context]
    )
    assert pghistory.models.Context.objects.get(pk=context).metadata == {"user": 7, "url": "/"}


@pytest.mark.django_db
def test_the_history_is_redacted_only_for_a_closed_account_and_each_time_recorded():
    resident = UserFactory()
    make_priority(resident)
    assert "only for a closed account" in refused(
        "SELECT nabolaget_history_redact(%s, 'priorities_priorityevent', 'author_id', false)",
        [resident.pk],
    )
    assert "only for a closed account" in refused(
        "SELECT nabolaget_context_forget_account(%s, ARRAY[]::uuid[])", [resident.pk]
    )
    assert not HistoryRedaction.objects.exists()

    account_close(user=resident)

    targets = set(HistoryRedaction.objects.filter(account=resident.pk).values_list("target"))
    assert ("priorities_priorityevent.author_id",) in targets
    # The record of the redaction is append-only as well.
    assert "Cannot update or delete rows from core_historyredaction" in refused(
        "DELETE FROM core_historyredaction"
    )
    # Closed, the account still cannot be used to rewrite a record's own table.
    assert "is not a history table" in refused(
        "SELECT nabolaget_history_redact(%s, 'priorities_prioritystatuschange', 'actor_id', true)",
        [resident.pk],
    )
