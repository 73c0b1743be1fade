"""Answering a hearing without an account: the answer is kept at once, and goes on the record
(counted, published, in the feedback loop, with its receipt) only when the e-mail address
given with it is confirmed through the signed link; the bad forms of each step."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hearings import services
from hearings.links import answer_token
from hearings.models import HearingAnswer, HearingAnswerAttachment, UnconfirmedAnswer
from hearings.summaries import hearing_counts
from hearings.tasks import send_answer_confirmation, unconfirmed_answers_forget
from tests.hearings.factories import ANSWER_TEXT, make_hearing
from tests.priorities.factories import UserFactory
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def body(**fields) -> dict:
    return {"text": ANSWER_TEXT, "signed_name": "Kari Nordmann", "email": "kari@example.no"} | (
        fields
    )


def unconfirmed(hearing, **fields) -> UnconfirmedAnswer:
    values = {
        "email": "ola@example.no",
        "language": "nb",
        "text": ANSWER_TEXT,
        "signed_name": "Ola Nordmann",
    } | fields
    return services.unconfirmed_answer_submit(hearing=hearing, **values)


def confirm_url(kept: UnconfirmedAnswer, token: str | None = None) -> str:
    return reverse("hearings:answer_confirm", args=[kept.hearing_id, token or answer_token(kept)])


def test_an_answer_without_an_account_counts_only_once_its_address_is_confirmed(client, settings):
    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    hearing = make_hearing()
    in_language(client, "nn")

    page = client.get(hearing.get_absolute_url()).content.decode()
    assert 'name="email"' in page and 'name="organisation_number"' not in page

    response = client.post(reverse("hearings:answer", args=[hearing.pk]), body())

    assert response.status_code == 200 and "kari@example.no" in response.content.decode()
    kept = UnconfirmedAnswer.objects.get()
    assert kept.language == "nn" and kept.answer is None
    assert not HearingAnswer.all_objects.exists()
    assert hearing_counts([hearing.pk]).get(hearing.pk, {}).get("total", 0) == 0
    assert ANSWER_TEXT not in client.get(hearing.get_absolute_url()).content.decode()

    send_answer_confirmation.func.__wrapped__(unconfirmed_id=kept.pk)
    (message,) = mail.outbox
    assert message.to == ["kari@example.no"] and "Stadfest" in message.subject  # Nynorsk
    (link,) = re.findall(r"https://nabolaget\.example\.no(/\S+)", message.body)

    assert client.get(link).status_code == 200
    assert not HearingAnswer.all_objects.exists()  # a GET (a mail scanner) confirms nothing

    confirmed = client.post(link)

    given = HearingAnswer.all_objects.get()
    assert confirmed.status_code == 200
    assert given.reference in confirmed.content.decode()
    assert "høyringssvaret ditt er motteke" in confirmed.content.decode()
    author = given.author
    assert author.email == "kari@example.no" and not author.has_usable_password()
    assert author.language == "nn"
    assert given.signed_name == "Kari Nordmann" and not given.late
    assert given.case_links.get().case_number == hearing.case.number  # linked to the case
    assert ANSWER_TEXT in client.get(hearing.get_absolute_url()).content.decode()

    again = client.post(link)

    assert again.status_code == 200 and given.reference in again.content.decode()
    assert HearingAnswer.all_objects.count() == 1
    assert get_user_model().objects.filter(email__iexact="kari@example.no").count() == 1


def test_the_account_that_has_the_address_already_is_the_answers_author(client):
    resident = UserFactory(email="ola@example.no")
    kept = unconfirmed(make_hearing(), email="Ola@Example.NO")

    assert client.post(confirm_url(kept)).status_code == 200

    assert kept.email == "Ola@example.no"
    assert HearingAnswer.all_objects.get().author == resident


def test_the_attachments_and_areas_sent_become_the_answers(client):
    hearing = make_hearing()
    pdf = SimpleUploadedFile("innspill.pdf", plain_pdf(), "application/pdf")
    kept = unconfirmed(hearing, attachments=[pdf])
    areas = set(kept.areas.values_list("pk", flat=True))

    client.post(confirm_url(kept))

    given = HearingAnswer.all_objects.get()
    attachment = HearingAnswerAttachment.objects.get(answer=given)
    assert attachment.name == "innspill.pdf"
    assert attachment.file.read() == plain_pdf()
    assert areas and set(given.areas.values_list("pk", flat=True)) == areas


def test_sent_before_the_deadline_and_confirmed_after_it_is_not_late(client):
    today = timezone.localdate()
    hearing = make_hearing(
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=2),
    )
    in_time = unconfirmed(hearing, email="tidsnok@example.no")
    UnconfirmedAnswer.objects.filter(pk=in_time.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    after = unconfirmed(hearing, email="sein@example.no")

    client.post(confirm_url(in_time))
    client.post(confirm_url(after))

    late = dict(HearingAnswer.all_objects.values_list("author__email", "late"))
    assert late == {"tidsnok@example.no": False, "sein@example.no": True}


@pytest.mark.parametrize(
    ("language", "email", "message"),
    [
        ("nb", "kari.example.no", "Skriv en e-postadresse som navn@example.no."),
        ("nn", "kari@", "Skriv ei e-postadresse som namn@example.no."),
        ("nb", "", "Skriv e-postadressen din."),
    ],
)
def test_an_invalid_address_is_a_400_in_the_users_language(client, language, email, message):
    hearing = make_hearing()

    response = in_language(client, language).post(
        reverse("hearings:answer", args=[hearing.pk]), body(email=email)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not UnconfirmedAnswer.objects.exists()
    assert not mail.outbox


def test_the_answers_own_bad_input_is_refused_as_for_a_resident_logged_in(client):
    hearing = make_hearing()

    response = in_language(client, "nn").post(
        reverse("hearings:answer", args=[hearing.pk]), body(text="Kort", signed_name="")
    )

    assert response.status_code == 400
    assert "Skriv namnet ditt, eller be om at det blir halde tilbake." in response.content.decode()
    assert not UnconfirmedAnswer.objects.exists()


def test_an_invited_only_hearing_asks_for_a_login_and_keeps_nothing(client):
    hearing = make_hearing(audience="invited", invited_emails=["post@lag.no"])

    response = client.post(reverse("hearings:answer", args=[hearing.pk]), body())

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not UnconfirmedAnswer.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Denne bekreftelseslenken er ikke gyldig"),
        ("nn", "Denne stadfestingslenkja er ikkje gyldig"),
    ],
)
@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"a": 1, "e": "0" * 16}, salt="another.salt"),
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_a_400_and_changes_nothing(client, tamper, language, message):
    kept = unconfirmed(make_hearing())
    url = confirm_url(kept, tamper(answer_token(kept)))

    for response in (in_language(client, language).get(url), client.post(url)):
        assert response.status_code == 400
        assert message in response.content.decode()
    kept.refresh_from_db()
    assert kept.answer is None and not HearingAnswer.all_objects.exists()


def test_a_link_for_another_address_or_hearing_is_a_400(client):
    first = make_hearing()
    second = make_hearing(case=first.case, title="Høring: gatebruksplan")
    kept = unconfirmed(first)
    other = unconfirmed(first, email="kari@example.no")
    forged = signing.dumps({"a": other.pk, "e": "0" * 16}, salt="hearings.answer")

    assert (
        client.post(
            reverse("hearings:answer_confirm", args=[second.pk, answer_token(kept)])
        ).status_code
        == 400
    )
    assert client.post(confirm_url(other, forged)).status_code == 400
    assert not HearingAnswer.all_objects.exists()


@pytest.mark.parametrize(
    ("language", "message"), [("nb", "eldre enn 7 dager"), ("nn", "eldre enn 7 dagar")]
)
def test_an_expired_link_is_a_400_and_changes_nothing(client, language, message):
    kept = unconfirmed(make_hearing())
    with time_machine.travel(timezone.now() - datetime.timedelta(days=8)):
        old = answer_token(kept)

    for response in (
        in_language(client, language).get(confirm_url(kept, old)),
        client.post(confirm_url(kept, old)),
    ):
        assert response.status_code == 400 and message in response.content.decode()
    assert not HearingAnswer.all_objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("nb", r"Vent \d+ sekunder og prøv igjen"), ("nn", r"Vent \d+ sekund og prøv igjen")],
)
def test_answers_without_an_account_are_rate_limited_per_address(
    client, settings, language, message
):
    settings.NABOLAGET_RATES = {**settings.NABOLAGET_RATES, "hearing_answer_address": "2/hour"}
    hearing = make_hearing()
    url = reverse("hearings:answer", args=[hearing.pk])
    in_language(client, language)
    for n in range(2):
        assert client.post(url, body(email=f"p{n}@example.no")).status_code == 200

    response = client.post(url, body(email="p3@example.no"))

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert re.search(message, response.content.decode())
    assert UnconfirmedAnswer.objects.count() == 2


def test_the_confirmation_email_is_sent_once(settings):
    kept = unconfirmed(make_hearing(), language="nb")

    send_answer_confirmation.func.__wrapped__(unconfirmed_id=kept.pk)
    send_answer_confirmation.func.__wrapped__(unconfirmed_id=kept.pk)

    (message,) = mail.outbox
    assert message.to == ["ola@example.no"] and "Bekreft" in message.subject


def test_unconfirmed_answers_are_deleted_once_their_link_has_expired(
    client, django_capture_on_commit_callbacks
):
    hearing = make_hearing()
    pdf = SimpleUploadedFile("gammel.pdf", plain_pdf(), "application/pdf")
    never = unconfirmed(hearing, email="gammel@example.no", attachments=[pdf])
    never_file = never.attachments.get().file.name
    confirmed = unconfirmed(
        hearing,
        email="ja@example.no",
        attachments=[SimpleUploadedFile("ja.pdf", plain_pdf(), "application/pdf")],
    )
    client.post(confirm_url(confirmed))
    UnconfirmedAnswer.objects.filter(pk__in=[never.pk, confirmed.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=9)
    )
    fresh = unconfirmed(hearing, email="ny@example.no")

    with django_capture_on_commit_callbacks(execute=True):
        assert unconfirmed_answers_forget(now=timezone.now()) == 1

    assert list(UnconfirmedAnswer.objects.values_list("pk", flat=True)) == [fresh.pk]
    given = HearingAnswer.all_objects.get()
    assert default_storage.exists(HearingAnswerAttachment.objects.get(answer=given).file.name)
    assert not default_storage.exists(never_file)
