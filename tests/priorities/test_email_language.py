"""E-mails are entirely in the recipient's language, name each kind of input rightly, and
link to NABOLAGET_SITE_URL (sent by the real worker; the locmem outbox)."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation

from accounts.models import Role
from priorities import services
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://nabolaget.bodo.kommune.no"


@pytest.fixture(autouse=True)
def demo(demo_live):
    """Committed demo data: the worker reads it on its own connection."""


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_every_link_in_the_loops_emails_uses_the_site_url_setting():
    priority = make_priority(UserFactory(email="kari@example.no"))
    services.input_set_status(
        records=[priority],
        status="under_consideration",
        public_text="Vi ser på saken.",
        actor=staff(Role.PLANNER),
    )
    run_jobs()

    receipt, answer = mail.outbox
    for message in (receipt, answer):
        assert links(message.body), message.body
        assert all(link.startswith(SITE + "/") for link in links(message.body)), message.body
    assert f"{SITE}/priorities/{priority.pk}/" in answer.body


def test_an_english_supporter_hears_of_a_merge_in_english():
    """The planner merges in Bokmål; the note stored on the record is Bokmål, the e-mail to
    an English supporter says it in English (and a Nynorsk author hears it in Nynorsk)."""
    target = make_priority(title="Fortau langs skoleveien")
    author = UserFactory(email="forfatter@example.no", language="nn")
    duplicate = make_priority(author, title="Fortau ved skolen")
    english = UserFactory(email="english@example.no", language="en")
    services.support_add(priority=duplicate, user=english)
    run_jobs()
    mail.outbox.clear()

    with translation.override("nb"):
        services.priority_merge(
            target=target, duplicates=[target, duplicate], actor=staff(Role.PLANNER)
        )
    run_jobs()

    by_address = {message.to[0]: message for message in mail.outbox}
    body = by_address["english@example.no"].body
    assert f"Merged with {target.reference}, which says the same." in body
    assert "Slått sammen" not in body and "sier det samme" not in body
    assert "Slått saman med" in by_address["forfatter@example.no"].body


def test_the_secretary_hears_of_her_councils_submission_not_her_priority():
    from councils import services as council_services

    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council, email="sekretar@ungdomsradet.no", language="nb")
    submission = council_services.submission_file(
        secretary=secretary,
        council=council,
        kind="statement",
        title="Uttalelse om trafikksikkerhet",
        text="Ungdomsrådet mener skoleveiene må prioriteres.",
        meeting_date=timezone.localdate(),
        minutes_reference="12/26",
    )
    run_jobs()
    mail.outbox.clear()

    services.input_set_status(
        records=[submission],
        status="in_case",
        public_text="Tatt med i saken.",
        actor=staff(Role.PLANNER),
    )
    run_jobs()

    (message,) = [m for m in mail.outbox if m.to == [secretary.email]]
    assert submission.reference in message.body
    assert "prioriteten din" not in message.body
    assert "(innsendingen fra rådet ditt)" in message.body
