"""A participant who follows a meeting hears, through the feedback loop's own e-mails and in
their language, what happens to the meeting's input (sent by the real worker)."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Role
from meetings import services
from priorities import services as loop
from tests.conftest import run_jobs
from tests.meetings.factories import make_meeting
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo(demo_live):
    """Committed demo data: the worker reads it on its own connection."""


def test_a_confirmed_participant_hears_what_happened_to_the_input_in_nynorsk(settings):
    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    planner = staff(Role.PLANNER)
    meeting = make_meeting(planner, title="Bylab om Storgata")
    client = Client()
    client.cookies["django_language"] = "nn"

    assert (
        client.post(f"/m/{meeting.short_code}/", {"email": "deltakar@example.no"}).status_code
        == 200
    )
    run_jobs()
    (confirmation,) = mail.outbox
    (link,) = re.findall(r"https://nabolaget\.example\.no(/\S+)", confirmation.body)
    assert client.post(link).status_code == 200
    mail.outbox.clear()

    made = services.meeting_input_record(
        actor=planner, meeting=meeting, title="Benkar", notes="Fleire benkar langs elva."
    )
    loop.input_set_status(
        records=[made],
        status="under_consideration",
        public_text="Vi ser på benkane i parkplanen.",
        actor=planner,
    )
    run_jobs()

    (answer,) = [m for m in mail.outbox if "deltakar@example.no" in m.to]
    assert made.reference in answer.subject
    assert "Vi ser på benkane i parkplanen." in answer.body
    assert "Kommunen har svart" in answer.body  # Nynorsk, the language the form was in
    assert f"https://nabolaget.example.no/meetings/{meeting.pk}/#input-{made.pk}" in answer.body
