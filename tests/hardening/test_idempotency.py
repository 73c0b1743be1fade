"""Idempotency keys (nabolaget/idempotency.py) on every create endpoint of the API: a create
retried with the same key, one after another or at the same moment, makes exactly one row
and gets the same answer each time; a bad key is a 400 naming the header; the same key
with another request is a 422; nothing is written by a refused request.

An endpoint that creates something is one more ``Create`` in CREATES.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from accounts.idempotency import delete_expired_keys
from accounts.models import IdempotencyKey, Role
from cases.models import FrozenDigest
from councils.models import Submission
from hearings.models import HearingAnswer
from priorities.models import Priority, PriorityReply, Support
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import make_case
from tests.hardening.language import in_language
from tests.hearings.factories import make_hearing
from tests.priorities.factories import PRIORITY_FEATURE, UserFactory, make_priority, staff
from tests.tables import changed_tables, row_counts

HEADER = "Idempotency-Key"
KEYS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=200)


@dataclass
class Attempt:
    """One create request, ready to send: who, where, what, and the rows it makes."""

    user: object
    url: str
    body: dict | None
    rows: Callable[[], int]

    def __post_init__(self):
        self.token = Token.objects.get_or_create(user=self.user)[0].key

    def send(self, key: str | None = None, *, body: dict | None = None, language: str = "en"):
        headers = {
            "Authorization": f"Token {self.token}",
            "Accept-Language": language,
        }
        if key is not None:
            headers[HEADER] = key
        payload = self.body if body is None else body
        return Client().post(
            self.url,
            json.dumps(payload) if payload is not None else "",
            content_type="application/json",
            headers=headers,
        )


def priority_create() -> Attempt:
    user = UserFactory()
    return Attempt(
        user,
        "/api/v1/priorities/",
        PRIORITY_FEATURE,
        Priority.all_objects.filter(author=user).count,
    )


def support_add() -> Attempt:
    user = UserFactory()
    priority = make_priority()
    return Attempt(
        user,
        f"/api/v1/priorities/{priority.pk}/support/",
        None,
        Support.objects.filter(user=user, priority=priority).count,
    )


def submission_file() -> Attempt:
    council = CouncilFactory(areas=[municipality_area("1804")])
    user = council_secretary(council)
    body = {
        "council": council.pk,
        "kind": "statement",
        "title": "Uttalelse om skoleveien",
        "text": "Ungdomsrådet mener skoleveiene må prioriteres.",
        "meeting_date": timezone.localdate().isoformat(),
    }
    return Attempt(user, "/api/v1/submissions/", body, Submission.objects.filter(author=user).count)


def digest_freeze() -> Attempt:
    planner = staff(Role.PLANNER)
    case = make_case(planner, number=f"2026/{planner.pk}")
    return Attempt(
        planner,
        f"/api/v1/cases/{case.pk}/digests/",
        {},
        FrozenDigest.objects.filter(case=case).count,
    )


def reply_create() -> Attempt:
    member = staff(Role.COUNCILLOR)
    priority = make_priority()
    return Attempt(
        member,
        f"/api/v1/replies/priority/{priority.pk}/",
        {"text": "Jeg tar dette opp i kommunestyret."},
        PriorityReply.objects.filter(author=member).count,
    )


def hearing_answer() -> Attempt:
    user = UserFactory()
    hearing = make_hearing(staff(Role.PLANNER), case=make_case(number=f"2026/{user.pk}"))
    body = {
        "hearing": hearing.pk,
        "text": "Skoleveien trenger gangfelt og lavere fart.",
        "signed_name": "Kari Nordmann",
    }
    return Attempt(
        user, "/api/v1/hearing-answers/", body, HearingAnswer.all_objects.filter(author=user).count
    )


CREATES = [
    priority_create,
    support_add,
    submission_file,
    digest_freeze,
    reply_create,
    hearing_answer,
]
# A body of the same request that asks for something else (for the 422).
OTHER_BODY = {
    priority_create: lambda body: {**body, "properties": {**body["properties"], "title": "Annet"}},
    support_add: lambda body: {"note": "another request"},
    submission_file: lambda body: {**body, "title": "En annen uttalelse"},
    digest_freeze: lambda body: {"since": "2026-01-01"},
    reply_create: lambda body: {"text": "Et annet svar enn det første."},
    hearing_answer: lambda body: {**body, "text": "Et annet svar på høringen om skoleveien."},
}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Many creates from one account: the rate limits (tested elsewhere) would answer 429."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NABOLAGET_RATES = {scope: "100000/hour" for scope in settings.NABOLAGET_RATES}


def same_answer(first, other) -> None:
    assert other.status_code == first.status_code
    assert other.json() == first.json()
    assert other.get("Location") == first.get("Location")


@pytest.mark.django_db
@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.__name__)
def test_a_create_retried_with_the_same_key_makes_one_row(create):
    """Hypothesis: any valid key, any number of retries: one row, the first answer each time."""

    @hypothesis_settings(
        max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(key=KEYS, retries=st.integers(min_value=1, max_value=4))
    def retried(key, retries):
        attempt = create()
        first = attempt.send(key)
        assert first.status_code in (200, 201), first.content
        assert "Idempotent-Replayed" not in first
        before = row_counts()
        for _ in range(retries):
            again = attempt.send(key)
            same_answer(first, again)
            assert again["Idempotent-Replayed"] == "true"
        assert attempt.rows() == 1
        assert not changed_tables(before, row_counts()), "a replay wrote something"

    retried()


@pytest.mark.django_db
@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.__name__)
def test_without_a_key_each_request_is_its_own(create):
    """The header is optional: without it a repeated create is a new request (or refused
    as a duplicate by the endpoint's own rule, like a second support)."""
    attempt = create()
    assert attempt.send().status_code in (200, 201)
    second = attempt.send()
    if create is support_add:
        assert second.status_code == 400 and attempt.rows() == 1
    else:
        assert second.status_code == 201 and attempt.rows() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.__name__)
def test_the_same_key_for_another_request_is_refused(create):
    """422 in the request's language, nothing written, the first answer still replayed."""
    attempt = create()
    first = attempt.send("ordre-1")
    for language in ("nb", "nn", "en"):
        before = row_counts()
        response = attempt.send(
            "ordre-1", body=OTHER_BODY[create](attempt.body or {}), language=language
        )

        assert response.status_code == 422
        message = response.json()["detail"]
        assert "Idempotency-Key" in message
        if language != "nn":
            assert in_language(message, language), message
        assert not changed_tables(before, row_counts())
    assert attempt.rows() == 1
    same_answer(first, attempt.send("ordre-1"))


@pytest.mark.django_db
def test_a_key_is_the_accounts_own_and_tied_to_its_endpoint():
    """Another account may use the same key; the same account may not use it elsewhere."""
    one, other = priority_create(), priority_create()
    assert one.send("k").status_code == 201
    assert other.send("k").status_code == 201
    assert one.rows() == other.rows() == 1

    support = support_add()
    support.token = one.token
    assert support.send("k").status_code == 422


BAD_KEYS = ["", " ", " leading", "trailing ", "x" * 201, "nøkkel", "tab\there", "ctrl\x01"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_bad_key_is_a_400_naming_the_header(key, language):
    attempt = priority_create()
    before = row_counts()

    response = attempt.send(key, language=language)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [HEADER]
    assert in_language(response.json()["errors"][HEADER][0], language)
    assert not changed_tables(before, row_counts())


@pytest.mark.django_db
def test_the_longest_key_is_accepted():
    attempt = priority_create()
    key = "~" + " " * 198 + "!"
    assert attempt.send(key).status_code == 201
    assert attempt.send(key).status_code == 201
    assert attempt.rows() == 1


@pytest.mark.django_db
def test_a_failed_request_keeps_no_key_so_the_corrected_retry_goes_through():
    attempt = priority_create()
    bad = {**attempt.body, "properties": {**attempt.body["properties"], "category": "ukjent"}}
    before = row_counts()

    assert attempt.send("forsok", body=bad).status_code == 400
    assert not changed_tables(before, row_counts())
    assert attempt.send("forsok").status_code == 201
    assert attempt.rows() == 1


@pytest.mark.django_db
def test_a_key_expires_after_a_day_and_the_periodic_job_removes_it():
    attempt = priority_create()
    assert attempt.send("i-gaar").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=23))
    assert attempt.send("i-gaar").status_code == 201
    assert attempt.rows() == 1, "a key younger than 24 hours is still remembered"

    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert attempt.send("i-gaar").status_code == 201
    assert attempt.rows() == 2, "an expired key is free again"
    fresh = IdempotencyKey.objects.get()
    assert fresh.created_at > timezone.now() - datetime.timedelta(minutes=1)

    other = priority_create()
    other.send("gammel")
    IdempotencyKey.objects.filter(key="gammel").update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert delete_expired_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["i-gaar"]


def test_the_cleanup_is_a_periodic_job():
    from procrastinate.contrib.django import app

    periodic = {task.task.name: task for task in app.periodic_registry.periodic_tasks.values()}
    assert "accounts.tasks.delete_expired_idempotency_keys" in periodic


@pytest.mark.django_db
def test_the_header_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = [
        ("/api/v1/priorities/", "post"),
        ("/api/v1/priorities/{id}/support/", "post"),
        ("/api/v1/submissions/", "post"),
        ("/api/v1/cases/{id}/digests/", "post"),
        ("/api/v1/replies/{kind}/{id}/", "post"),
        ("/api/v1/hearing-answers/", "post"),
    ]
    for path, method in operations:
        operation = schema["paths"][path][method]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == HEADER]
        assert parameter["in"] == "header" and not parameter.get("required")
        assert parameter["schema"]["maxLength"] == 200
        assert "422" in operation["responses"]


@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.__name__)
def test_concurrent_retries_make_one_row_and_get_one_answer(demo_live, create):
    """Retries sent at the same moment from threads (each its own connection, committed
    transactions): the unique constraint makes the losers wait for the winner's answer."""
    attempt = create()
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    responses, errors = [], []

    def send():
        try:
            barrier.wait(timeout=30)
            responses.append(attempt.send("samtidig"))
        except Exception as exc:  # noqa: BLE001 - reported in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(responses) == threads_count
    assert attempt.rows() == 1
    first = next(r for r in responses if "Idempotent-Replayed" not in r)
    assert first.status_code in (200, 201)
    for response in responses:
        same_answer(first, response)
    assert sum("Idempotent-Replayed" in r for r in responses) == threads_count - 1


@pytest.mark.django_db
def test_a_replay_does_not_count_towards_the_rate_limit(settings):
    """A client retrying after a lost answer gets the answer again, not a 429: a replay
    does nothing, so only the requests that make something are counted."""
    settings.NABOLAGET_RATES = {**settings.NABOLAGET_RATES, "priority_create_user": "2/hour"}
    attempt = priority_create()
    first = attempt.send("retry-after-timeout")
    assert first.status_code == 201

    replays = [attempt.send("retry-after-timeout") for _ in range(3)]

    for replay in replays:
        same_answer(first, replay)
        assert replay["Idempotent-Replayed"] == "true"
    assert attempt.send("second-priority").status_code == 201
    refused = attempt.send("third-priority")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert attempt.rows() == 2
