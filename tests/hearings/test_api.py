"""Hearings and their answers in the API: published answers only, creates with the same
validation and idempotency keys as the submissions', problem details on refusal."""

from __future__ import annotations

import pytest

from accounts.models import Role
from hearings.models import HearingAnswer
from tests.hearings.factories import ANSWER_TEXT, answer, make_hearing
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def hearing():
    return make_hearing(staff(Role.PLANNER))


def post(client, body, **headers):
    return client.post("/api/v1/hearing-answers/", body, content_type="application/json", **headers)


def test_hearings_are_listed_and_shown(client, hearing):
    listed = client.get("/api/v1/hearings/", {"case": hearing.case_id}).json()
    shown = client.get(f"/api/v1/hearings/{hearing.pk}/").json()

    assert [row["id"] for row in listed["results"]] == [hearing.pk]
    assert shown["case"] == hearing.case.number and shown["audience"] == "everyone"
    assert shown["closes_on"] == hearing.closes_on.isoformat()


def test_only_published_answers_are_listed(client):
    hearing = make_hearing(staff(Role.PLANNER), publication="after_review")
    pending = answer(UserFactory(), hearing)
    published = answer(UserFactory(), hearing, name_withheld=True)
    published.visibility = "public"
    published.save(update_fields=["visibility"])

    body = client.get("/api/v1/hearing-answers/", {"hearing": hearing.pk}).json()

    assert [f["id"] for f in body["features"]] == [published.pk]
    assert body["features"][0]["properties"]["name"] == ""  # withheld
    assert "author" not in body["features"][0]["properties"]
    assert client.get(f"/api/v1/hearing-answers/{pending.pk}/").status_code == 404


def test_an_answer_is_created_once_per_idempotency_key(client, hearing):
    client.force_login(UserFactory())
    body = {"hearing": hearing.pk, "text": ANSWER_TEXT, "signed_name": "Kari Nordmann"}

    first = post(client, body, HTTP_IDEMPOTENCY_KEY="svar-1")
    again = post(client, body, HTTP_IDEMPOTENCY_KEY="svar-1")

    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["properties"]["reference"] == again.json()["properties"]["reference"]
    assert HearingAnswer.all_objects.count() == 1
    assert "/api/v1/hearings/" in client.get("/api/v1/schema/").content.decode()


def test_an_organisation_number_failing_its_check_is_a_problem_in_nynorsk(client, hearing):
    client.force_login(UserFactory())

    response = post(
        client,
        {
            "hearing": hearing.pk,
            "respondent": "organisation",
            "text": ANSWER_TEXT,
            "organisation_name": "Bodø Velforening",
            "organisation_number": "923609017",
            "contact_person": "Per Hansen",
        },
        HTTP_ACCEPT_LANGUAGE="nn",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["organisation_number"] == [
        "Kontrollsifferet i dette organisasjonsnummeret er feil."
    ]
    assert not HearingAnswer.all_objects.exists()


def test_an_uninvited_answer_is_a_403_and_nothing_written(client):
    hearing = make_hearing(staff(Role.PLANNER), audience="invited", invited_emails=["a@lag.no"])
    client.force_login(UserFactory())

    response = post(client, {"hearing": hearing.pk, "text": ANSWER_TEXT, "signed_name": "Kari"})

    assert response.status_code == 403
    assert not HearingAnswer.all_objects.exists()


def test_an_unknown_hearing_and_anonymous_answers_are_refused(client, hearing):
    assert post(client, {"hearing": hearing.pk, "text": ANSWER_TEXT}).status_code == 401
    client.force_login(UserFactory())
    response = post(client, {"hearing": 999999, "text": ANSWER_TEXT})
    assert response.status_code == 400 and "hearing" in response.json()["errors"]
    assert not HearingAnswer.all_objects.exists()
