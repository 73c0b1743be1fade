"""The hearing pages: the planner's form from the case's work page, the public page, the
answer form and its receipt, the list of answers and the summary by theme."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from hearings import services
from hearings.models import Hearing, HearingAnswer, HearingTheme
from tests.cases.factories import make_case
from tests.hearings.factories import ANSWER_TEXT, answer, make_hearing
from tests.priorities.factories import UserFactory, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def hearing_body(**fields) -> dict:
    today = timezone.localdate()
    return {
        "title": "Høring om skoleveien",
        "decision": "Kommunestyret vedtar planen i mars.",
        "questions": "",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        "audience": "everyone",
        "publication": "at_once",
        "invited_emails": "",
    } | fields


def test_the_work_page_links_to_the_hearing_form_and_the_planner_opens_one(client, planner):
    case = make_case(planner)
    client.force_login(planner)

    work = client.get(reverse("cases:manage", args=[case.pk]))
    assert reverse("hearings:new", args=[case.pk]) in work.content.decode()
    assert client.get(reverse("hearings:new", args=[case.pk])).status_code == 200

    document = SimpleUploadedFile("plan.pdf", plain_pdf(), "application/pdf")
    response = client.post(
        reverse("hearings:new", args=[case.pk]), hearing_body(documents=[document])
    )

    hearing = Hearing.objects.get()
    assert response.status_code == 302 and response["Location"] == hearing.get_absolute_url()
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert "Høring om skoleveien" in page and "Kommunestyret vedtar planen i mars." in page
    assert 'data-case-layers="true"' in page and "plan.pdf" in page
    assert reverse("hearings:document", args=[hearing.documents.get().pk]) in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Fristen kan ikke være før høringen åpner."),
        ("nn", "Fristen kan ikkje vere før høyringa opnar."),
    ],
)
def test_a_deadline_before_the_start_is_a_400_in_the_planners_language(
    client, planner, language, message
):
    case = make_case(planner)
    client.force_login(planner)
    today = timezone.localdate()

    response = in_language(client, language).post(
        reverse("hearings:new", args=[case.pk]),
        hearing_body(closes_on=(today - datetime.timedelta(days=3)).isoformat()),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Hearing.objects.exists()


@pytest.mark.parametrize("role", [None, Role.COUNCILLOR, Role.MODERATOR])
def test_a_non_planner_cannot_open_a_hearing(client, planner, role):
    case = make_case(planner)
    client.force_login(staff(role) if role else UserFactory())

    assert client.get(reverse("hearings:new", args=[case.pk])).status_code == 403
    assert client.post(reverse("hearings:new", args=[case.pk]), hearing_body()).status_code == 403
    assert not Hearing.objects.exists()


def test_a_resident_answers_from_the_hearing_page_and_sees_the_receipt(client, planner):
    hearing = make_hearing(planner)
    resident = UserFactory()
    client.force_login(resident)

    page = in_language(client, "nb").get(hearing.get_absolute_url()).content.decode()
    assert reverse("hearings:answer", args=[hearing.pk]) in page

    response = client.post(
        reverse("hearings:answer", args=[hearing.pk]),
        {"respondent": "resident", "text": ANSWER_TEXT, "signed_name": "Kari Nordmann"},
    )

    given = HearingAnswer.all_objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{given.get_absolute_url()}?receipt=1"
    receipt = client.get(response["Location"]).content.decode()
    assert given.reference in receipt and "kvittering" in receipt
    assert ANSWER_TEXT in client.get(hearing.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Kontrollsifferet i dette organisasjonsnummeret er feil."),
        ("nn", "Kontrollsifferet i dette organisasjonsnummeret er feil."),
    ],
)
def test_an_organisation_number_failing_its_check_is_a_400(client, planner, language, message):
    hearing = make_hearing(planner)
    client.force_login(UserFactory())

    response = in_language(client, language).post(
        reverse("hearings:answer", args=[hearing.pk]),
        {
            "respondent": "organisation",
            "text": ANSWER_TEXT,
            "organisation_name": "Bodø Velforening",
            "organisation_number": "923609017",
            "contact_person": "Per Hansen",
        },
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HearingAnswer.all_objects.exists()


def test_a_non_pdf_attachment_is_a_400_in_nynorsk(client, planner):
    hearing = make_hearing(planner)
    client.force_login(UserFactory())
    fake = SimpleUploadedFile("svar.pdf", b"%PDF-1.4 <script>", "application/pdf")

    response = in_language(client, "nn").post(
        reverse("hearings:answer", args=[hearing.pk]),
        {
            "respondent": "resident",
            "text": ANSWER_TEXT,
            "name_withheld": "on",
            "attachments": [fake],
        },
    )

    assert response.status_code == 400
    assert "svar.pdf" in response.content.decode()
    assert not HearingAnswer.all_objects.exists()


def test_an_uninvited_resident_is_refused_an_invited_only_hearing(client, planner):
    hearing = make_hearing(planner, audience="invited", invited_emails=["post@lag.no"])
    client.force_login(UserFactory())

    response = client.post(
        reverse("hearings:answer", args=[hearing.pk]),
        {"respondent": "resident", "text": ANSWER_TEXT, "signed_name": "Kari"},
    )

    assert response.status_code == 403
    assert not HearingAnswer.all_objects.exists()


def test_a_late_answer_says_so_on_its_receipt(client, planner):
    today = timezone.localdate()
    hearing = make_hearing(
        planner,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=2),
    )
    client.force_login(UserFactory())

    response = in_language(client, "en").post(
        reverse("hearings:answer", args=[hearing.pk]),
        {"respondent": "resident", "text": ANSWER_TEXT, "signed_name": "Kari"},
        follow=True,
    )

    assert HearingAnswer.all_objects.get().late
    assert "It came after the deadline and is marked late." in response.content.decode()


def test_pending_answers_are_not_public_until_a_moderator_publishes(client, planner):
    hearing = make_hearing(planner, publication="after_review")
    author = UserFactory()
    given = answer(author, hearing)
    url = given.get_absolute_url()

    assert client.get(url).status_code == 403
    assert (
        given.reference
        not in client.get(reverse("hearings:answers", args=[hearing.pk])).content.decode()
    )
    client.force_login(author)
    assert client.get(url).status_code == 200

    client.force_login(staff(Role.MODERATOR))
    response = client.post(reverse("hearings:moderate", args=[given.pk]), {"action": "publish"})

    assert response.status_code == 302
    client.logout()
    assert client.get(url).status_code == 200
    assert (
        given.reference
        in client.get(reverse("hearings:answers", args=[hearing.pk])).content.decode()
    )


def test_the_planner_writes_the_summary_by_theme(client, planner):
    hearing = make_hearing(planner)
    given = answer(UserFactory(), hearing)
    client.force_login(planner)
    url = reverse("hearings:theme_save", args=[hearing.pk])

    refused = in_language(client, "nb").post(
        url,
        {"new-title": "Skolevei", "new-text": "Mange vil ha gangfelt.", "new-references": "HS-1-2"},
    )
    assert refused.status_code == 400 and not HearingTheme.objects.exists()

    saved = client.post(
        url,
        {
            "new-title": "Skolevei",
            "new-text": "Mange vil ha gangfelt.",
            "new-references": given.reference,
        },
    )

    assert saved.status_code == 302
    theme = HearingTheme.objects.get()
    assert list(theme.answers.all()) == [given]
    page = client.get(reverse("hearings:summary", args=[hearing.pk])).content.decode()
    assert "Skolevei" in page and given.reference in page

    client.force_login(UserFactory())
    assert client.post(url, {"new-title": "X"}).status_code == 403


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("nb", "En moderator har skjult dette høringssvaret."),
        ("nn", "Ein moderator har skjult dette høyringssvaret."),
    ],
)
def test_a_hidden_answers_page_says_a_moderator_hid_the_hearing_answer(
    client, planner, language, note
):
    """The note on a hidden hearing answer has a translation of its own (message context
    "hearing answer"): the replies' note about a hidden answer back has the same English,
    and the two in one catalogue without a context did not compile."""
    given = answer(UserFactory(), make_hearing(planner))
    services.answer_moderate(
        moderator=staff(Role.MODERATOR), answer=given, publish=False, reason="Personopplysninger"
    )
    client.force_login(planner)
    page = in_language(client, language).get(given.get_absolute_url()).content.decode()
    assert note in page and "Personopplysninger" in page
