"""Nothing after the commit turns a success into an error: when the database goes away
just after a resident's priority has been committed (a PostgreSQL restart), the resident
is sent to the receipt, not shown an error page that would make them send it again.

The failure is real: the web's database connection is cut (pg_terminate_backend, from
another connection) the moment the priority's transaction commits."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import Client
from rest_framework.authtoken.models import Token

from priorities.models import Priority
from tests.priorities.factories import PRIORITY_FEATURE, UserFactory
from tests.priorities.test_pages import form


def _terminate(pid: int) -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the connection did not end"
            time.sleep(0.01)


@pytest.fixture
def connection_cut_after_commit():
    """The connection that saves the next new priority is cut as soon as it commits."""
    cut = []

    def after_save(sender, instance, created, **kwargs):
        if created:
            pid = connection.connection.info.backend_pid
            transaction.on_commit(lambda: (_terminate(pid), cut.append(pid)))

    post_save.connect(after_save, sender=Priority, dispatch_uid="cut-after-commit")
    yield cut
    post_save.disconnect(sender=Priority, dispatch_uid="cut-after-commit")
    connection.close()


def test_the_resident_gets_the_receipt_when_the_database_goes_away_after_the_commit(
    demo_live, connection_cut_after_commit
):
    resident = UserFactory()
    browser = Client(raise_request_exception=False)
    browser.force_login(resident)

    response = browser.post("/priorities/new/", form(), headers={"accept-language": "nb"})

    assert connection_cut_after_commit, "the connection was cut after the commit"
    connection.close()  # what the end of a request does with a broken connection
    (priority,) = Priority.all_objects.filter(author=resident)
    assert response.status_code == 302
    assert response["Location"] == f"/priorities/{priority.pk}/?receipt=1"
    receipt = browser.get(response["Location"], headers={"accept-language": "nb"})
    assert receipt.status_code == 200
    assert priority.reference in receipt.content.decode()


def test_an_api_client_gets_its_201_when_the_database_goes_away_after_the_commit(
    demo_live, connection_cut_after_commit
):
    """Without an Idempotency-Key too: the answer is read before the commit, not after."""
    resident = UserFactory()
    token = Token.objects.create(user=resident)
    api = Client(raise_request_exception=False, headers={"Authorization": f"Token {token.key}"})

    response = api.post("/api/v1/priorities/", PRIORITY_FEATURE, content_type="application/json")

    assert connection_cut_after_commit, "the connection was cut after the commit"
    connection.close()
    (priority,) = Priority.all_objects.filter(author=resident)
    assert response.status_code == 201
    assert response.json()["properties"]["reference"] == priority.reference
