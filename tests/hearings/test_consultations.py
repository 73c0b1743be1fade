"""Requests to councils for statements are hearings that invite councils: the old ones are
made into hearings (their records kept), and new ones are opened on the hearing form."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from hearings import services, tasks
from hearings.models import Hearing
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import CaseFactory, ConsultationFactory
from tests.hearings.factories import make_hearing
from tests.priorities.factories import SubmissionFactory, staff

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("hearings.migrations.0002_consultations_become_hearings")


@pytest.fixture
def council():
    return CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])


@pytest.fixture
def consultation(council):
    return ConsultationFactory(
        case=CaseFactory(number="2026/1234", title="Trafikksikkerhetsplan"),
        deadline=timezone.localdate() + datetime.timedelta(days=14),
        summary="Kommunen lager en trafikksikkerhetsplan. Hva mener rådet?",
        questions="Hvor er det farlig å gå?",
        created_by=staff(Role.PLANNER),
        councils=[council],
    )


def test_the_data_migration_makes_every_consultation_a_hearing_once(client, consultation, council):
    statement = SubmissionFactory(
        author=council_secretary(council),
        council=council,
        kind="statement",
        title="Uttalelse om skoleveier",
        text="Rådet ber om trygge skoleveier.",
        consultation=consultation,
    )

    MIGRATION.consultations_to_hearings(apps, None)
    MIGRATION.consultations_to_hearings(apps, None)  # again: nothing twice

    hearing = Hearing.objects.get()
    assert hearing.consultation == consultation and hearing.case == consultation.case
    assert hearing.audience == "invited"
    assert list(hearing.invited_councils.all()) == [council]
    assert hearing.closes_on == consultation.deadline
    assert hearing.decision == consultation.summary
    assert hearing.questions == consultation.questions
    assert hearing.created_by == consultation.created_by
    assert hearing.opens_on <= hearing.closes_on
    statement.refresh_from_db()
    assert statement.consultation == consultation  # the record stays as it was
    page = client.get(hearing.get_absolute_url())
    assert page.status_code == 200
    assert "Uttalelse om skoleveier" in page.content.decode()


def test_the_service_makes_the_same_hearing(consultation, council):
    made = services.hearing_from_consultation(consultation)

    assert services.hearing_from_consultation(consultation) == made
    assert made.audience == "invited" and list(made.invited_councils.all()) == [council]


def test_the_old_form_address_opens_the_hearing_form_inviting_councils(client, consultation):
    planner = staff(Role.PLANNER)
    client.force_login(planner)
    case = consultation.case

    response = client.get(reverse("hearings:consultation_new", args=[case.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("hearings:new", args=[case.pk]) + "?audience=invited"
    form = client.get(response["Location"]).content.decode()
    assert re.search(r'<input type="radio" name="audience" value="invited"[^>]* checked>', form)


def test_invited_councils_secretaries_are_told_once(council, mailoutbox):
    secretary = council_secretary(council, email="sekretar@ungdomsradet.no")
    hearing = make_hearing(audience="invited", invited_councils=[council])

    # The job's function, on the test's connection (the job itself closes its connection).
    notify = tasks.notify_invited.func.__wrapped__
    notify(hearing_id=hearing.pk)
    notify(hearing_id=hearing.pk)  # a retry sends nothing twice

    (message,) = mailoutbox
    assert message.to == [secretary.email] and hearing.case.number in message.subject
