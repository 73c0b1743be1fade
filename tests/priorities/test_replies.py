"""Elected members answer residents: one reply mechanism for every kind of input.

A councillor of the record's municipality replies in public, in their own name, party and
elected body (copied onto the reply); the reply changes no status; the author and the
followers are told by e-mail in their own language; the author may answer back once (the
database holds one answer per reply); a moderator may hide either with a reason; nothing is
ever deleted. Pages, API and digests show the replies, marked as the member's own view.
A throwaway kind with a reply table gets all of it with no edit."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.utils import InternalError, ProgrammingError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.models import Notification, Role, RoleGrant
from areas.models import Area, Municipality
from cases import digests
from cases import services as case_services
from councils.models import SubmissionReply
from priorities import kinds, services, tasks
from priorities.models import (
    CaseLink,
    InputRecord,
    PriorityReply,
    PriorityStatusChange,
    Reply,
    StatusChange,
    reply_meta,
)
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import make_case
from tests.conftest import run_jobs
from tests.priorities.factories import (
    BODO_CENTRE,
    SubmissionFactory,
    UserFactory,
    make_priority,
    staff,
)

pytestmark = pytest.mark.django_db

OWN_VIEW = {
    "nb": "Den folkevalgtes eget syn – ikke kommunens svar",
    "nn": "Det eigne synet til den folkevalde – ikkje svaret frå kommunen",
}


def councillor(code: str = "1804", **fields):
    """An elected member of the municipality with a public profile."""
    user = staff(Role.COUNCILLOR, code=code, **fields)
    RoleGrant.objects.filter(user=user, role=Role.COUNCILLOR).update(
        public_name="Ola Folkevalgt", party="Bygdelista", elected_body="Kommunestyret"
    )
    return user


_FIRST_JOB = {"id": 0}


@pytest.fixture(autouse=True)
def _new_jobs_only(django_db_blocker):
    """The job table is not emptied between tests (procrastinate's, unmanaged): count only
    the jobs queued during this test."""
    with django_db_blocker.unblock():
        newest = ProcrastinateJob.objects.order_by("-id").values_list("id", flat=True).first()
    _FIRST_JOB["id"] = newest or 0


def reply_jobs():
    """The reply notices queued during this test."""
    return ProcrastinateJob.objects.filter(
        task_name="priorities.tasks.notify_reply", id__gt=_FIRST_JOB["id"]
    )


def run_reply_jobs() -> None:
    for job in reply_jobs().order_by("id"):
        tasks.notify_reply(**job.args)


# --- the service -------------------------------------------------------------------------


def test_a_councillor_replies_in_their_own_name_and_the_status_stays():
    author = UserFactory()
    priority = make_priority(author)
    member = councillor()

    reply = services.reply_create(priority, member, "  Jeg tar dette opp i kommunestyret.\u200b ")

    reply.refresh_from_db()
    assert isinstance(reply, PriorityReply) and reply.record_id == priority.pk
    assert (reply.name, reply.party, reply.elected_body) == (
        "Ola Folkevalgt",
        "Bygdelista",
        "Kommunestyret",
    )
    assert reply.text == "Jeg tar dette opp i kommunestyret."  # normalised and stripped
    assert reply.role == "councillor" and reply.parent_id is None and reply.is_public
    priority.refresh_from_db()
    assert priority.status == "received" and priority.first_answered_at is None
    assert not PriorityStatusChange.objects.filter(record=priority).exists()
    (job,) = reply_jobs()
    assert job.args == {"kind": "priority", "reply_id": reply.pk}


def test_the_reply_keeps_the_party_and_body_it_was_written_with():
    member = councillor()
    reply = services.reply_create(make_priority(), member, "Dette er viktig for bygda.")
    RoleGrant.objects.filter(user=member).update(party="Nytt parti", elected_body="Formannskapet")
    reply.refresh_from_db()
    assert (reply.party, reply.elected_body) == ("Bygdelista", "Kommunestyret")


@pytest.mark.parametrize("role", [None, Role.PLANNER, Role.MODERATOR, Role.ADMINISTRATOR])
def test_only_a_councillor_may_reply(role):
    priority = make_priority()
    user = UserFactory() if role is None else staff(role)
    with pytest.raises(PermissionDenied):
        services.reply_create(priority, user, "Jeg mener noe om dette.")
    assert not PriorityReply.objects.exists() and not reply_jobs().exists()


def test_a_councillor_of_another_municipality_may_not_reply():
    priority = make_priority()
    Municipality.objects.get_or_create(code="9901", defaults={"name": "Nabokommune"})
    outsider = councillor(code="9901")
    with pytest.raises(PermissionDenied):
        services.reply_create(priority, outsider, "Jeg mener noe om dette.")
    assert not PriorityReply.objects.exists() and not reply_jobs().exists()


@pytest.mark.parametrize("text", ["", "   ", "\u200b" * 12, "Kort", "x" * 4001])
def test_an_empty_or_too_long_reply_is_refused(text):
    priority = make_priority()
    with pytest.raises(ValidationError) as refused:
        services.reply_create(priority, councillor(), text)
    assert "text" in refused.value.message_dict
    assert not PriorityReply.objects.exists() and not reply_jobs().exists()


def test_a_hidden_priority_cannot_be_replied_to():
    priority = make_priority()
    services.priority_moderate(
        priority=priority, moderator=staff(Role.MODERATOR), hide=True, reason="Personopplysninger"
    )
    with pytest.raises(ValidationError):
        services.reply_create(priority, councillor(), "Jeg mener noe om dette.")
    assert not PriorityReply.objects.exists()


def test_the_author_answers_back_once():
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")

    answer = services.reply_answer_back(reply, author, "Takk, det setter jeg pris på!")
    assert answer.parent_id == reply.pk and answer.role == "author"
    assert (answer.name, answer.party) == ("", "")  # the resident is not named

    with pytest.raises(ValidationError, match="allerede svart"):
        services.reply_answer_back(reply, author, "Og en ting til som jeg glemte.")
    assert PriorityReply.objects.filter(parent=reply).count() == 1
    with pytest.raises(ValidationError):
        services.reply_answer_back(answer, author, "Et svar på mitt eget svar.")
    assert PriorityReply.objects.count() == 2


@pytest.mark.parametrize("who", ["resident", "supporter", "councillor", "planner"])
def test_only_the_author_may_answer_back(who):
    author = UserFactory()
    priority = make_priority(author)
    member = councillor()
    reply = services.reply_create(priority, member, "Jeg tar dette opp i kommunestyret.")
    user = {
        "resident": UserFactory(),
        "supporter": UserFactory(),
        "councillor": member,
        "planner": staff(Role.PLANNER),
    }[who]
    if who == "supporter":
        services.support_add(priority=priority, user=user)
    with pytest.raises(PermissionDenied):
        services.reply_answer_back(reply, user, "Jeg svarer for forfatteren.")
    assert PriorityReply.objects.count() == 1


def test_the_database_holds_one_answer_per_reply_and_the_shape_of_each_row():
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    services.reply_answer_back(reply, author, "Takk for svaret ditt.")
    second = PriorityReply(record=priority, parent=reply, role="author", text="Et svar til")
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityReply.objects.bulk_create([second])
    # A reply with a parent must be the author's; one without, a councillor's.
    unanswered = services.reply_create(priority, councillor(), "Et svar til fra meg.")
    for role, parent in (("councillor", unanswered), ("author", None)):
        row = PriorityReply(record=priority, parent=parent, role=role, text="Feil form")
        with pytest.raises(IntegrityError), transaction.atomic():
            PriorityReply.objects.bulk_create([row])
    assert PriorityReply.objects.count() == 3


def test_a_reply_stays_on_the_record():
    reply = services.reply_create(make_priority(), councillor(), "Jeg tar dette opp.")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        PriorityReply.objects.filter(pk=reply.pk).delete()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        PriorityReply.objects.filter(pk=reply.pk).update(text="Noe annet enn det jeg skrev.")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        PriorityReply.objects.filter(pk=reply.pk).update(party="Et annet parti")
    assert PriorityReply.objects.get(pk=reply.pk).text == "Jeg tar dette opp."


def test_a_moderator_hides_a_reply_with_a_reason_and_shows_it_again():
    priority = make_priority()
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    moderator = staff(Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        services.reply_moderate(reply, staff(Role.PLANNER), hide=True, reason="Usaklig innhold")
    with pytest.raises(ValidationError):
        services.reply_moderate(reply, moderator, hide=True, reason="")
    reply.refresh_from_db()
    assert reply.is_public

    services.reply_moderate(reply, moderator, hide=True, reason="Personopplysninger i teksten")
    reply.refresh_from_db()
    assert not reply.is_public and reply.hidden_reason == "Personopplysninger i teksten"
    assert reply.text == "Jeg tar dette opp i kommunestyret."  # kept
    services.reply_moderate(reply, moderator, hide=False)
    reply.refresh_from_db()
    assert reply.is_public and reply.hidden_reason == ""


# --- the e-mails -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_author_and_the_followers_are_told_in_their_language(demo_live):
    author = UserFactory(email="forfatter@example.no", language="nn")
    priority = make_priority(author)
    supporter = UserFactory(email="stottar@example.no", language="nb")
    services.support_add(priority=priority, user=supporter)
    quiet = UserFactory(email="stille@example.no", notify_by_email=False)
    services.support_add(priority=priority, user=quiet)
    member = councillor(email="folkevalgt@example.no")
    run_jobs()
    mail.outbox.clear()

    reply = services.reply_create(priority, member, "Jeg tar dette opp i kommunestyret.")
    run_jobs()
    run_reply_jobs()  # the job run again sends nothing twice

    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"forfatter@example.no", "stottar@example.no"}
    nn, nb = sent["forfatter@example.no"], sent["stottar@example.no"]
    assert priority.reference in nn.subject and "Ein folkevald har svart" in nn.subject
    assert "En folkevalgt har svart" in nb.subject
    assert "ikkje svaret frå kommunen" in nn.body and "ikke kommunens svar" in nb.body
    assert "Ola Folkevalgt, Bygdelista, Kommunestyret" in nn.body
    assert "Jeg tar dette opp i kommunestyret." in nb.body
    assert "Du kan svare éin gong" in nn.body  # the author may answer back
    assert "Du kan svare én gang" not in nb.body  # a supporter may not
    assert f"/priorities/{priority.pk}/#replies" in nb.body

    mail.outbox.clear()
    services.reply_answer_back(reply, author, "Takk, det set eg pris på!")
    run_jobs()
    (told,) = mail.outbox
    assert told.to == ["folkevalgt@example.no"] and "Takk, det set eg pris på!" in told.body


@pytest.mark.django_db(transaction=True)
def test_the_e_mail_keys_are_per_reply_and_person(demo_live):
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    run_jobs()
    assert list(Notification.objects.filter(key__startswith="reply:").values_list("key")) == [
        (f"reply:priority:{reply.pk}:{author.pk}",)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_reply_hidden_before_the_job_ran_is_not_sent(demo_live):
    author = UserFactory()
    priority = make_priority(author)
    run_jobs()
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    services.reply_moderate(reply, staff(Role.MODERATOR), hide=True, reason="Usaklig innhold")
    mail.outbox.clear()
    run_jobs()
    assert mail.outbox == []
    assert not Notification.objects.filter(key__startswith="reply:").exists()


# --- the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_priority_page_shows_replies_as_the_members_own_view(client, language):
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    services.reply_answer_back(reply, author, "Takk for at du svarte meg.")
    client.cookies["django_language"] = language

    page = client.get(priority.get_absolute_url()).content.decode()
    assert OWN_VIEW[language] in page
    assert "Ola Folkevalgt, Bygdelista, Kommunestyret" in page
    assert "Jeg tar dette opp i kommunestyret." in page and "Takk for at du svarte meg." in page
    assert 'id="replies"' in page and "reply-form" not in page  # nobody may post here


def test_the_forms_each_person_sees(client):
    author = UserFactory()
    priority = make_priority(author)
    member = councillor()
    url = priority.get_absolute_url()

    client.force_login(member)
    assert 'name="reply-text"' in client.get(url).content.decode()
    reply = services.reply_create(priority, member, "Jeg tar dette opp i kommunestyret.")
    client.force_login(UserFactory())
    page = client.get(url).content.decode()
    assert 'name="reply-text"' not in page and f'name="answer-{reply.pk}-text"' not in page
    client.force_login(author)
    assert f'name="answer-{reply.pk}-text"' in client.get(url).content.decode()
    services.reply_answer_back(reply, author, "Takk for svaret ditt.")
    assert f'name="answer-{reply.pk}-text"' not in client.get(url).content.decode()
    client.force_login(staff(Role.MODERATOR))
    assert f'name="moderate-{reply.pk}-action"' in client.get(url).content.decode()


def test_a_councillor_replies_through_the_page(client):
    priority = make_priority(UserFactory())
    client.force_login(councillor())
    url = reverse("priorities:replies", args=["priority", priority.pk])
    response = client.post(url, {"reply-text": "Jeg tar dette opp i kommunestyret."})
    assert response.status_code == 302
    # No fragment: a page opened at one runs no autofocus, and the message must take focus.
    assert response["Location"] == priority.get_absolute_url()
    assert PriorityReply.objects.get().text == "Jeg tar dette opp i kommunestyret."


@pytest.mark.parametrize("role", ["resident", Role.PLANNER, "other_councillor"])
def test_the_page_refuses_a_reply_from_anyone_but_a_councillor_there(client, role):
    priority = make_priority()
    if role == "other_councillor":
        Municipality.objects.get_or_create(code="9901", defaults={"name": "Nabokommune"})
        user = councillor(code="9901")
    else:
        user = UserFactory() if role == "resident" else staff(role)
    client.force_login(user)
    url = reverse("priorities:replies", args=["priority", priority.pk])
    response = client.post(url, {"reply-text": "Jeg mener noe om dette."})
    assert response.status_code == 403
    assert not PriorityReply.objects.exists() and not reply_jobs().exists()


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("nb", "", "Dette feltet er påkrevd."),
        ("nn", "", "Feltet er påkravd."),
        ("nb", "x" * 4001, "4000"),
        ("nn", "\u200b" * 10, "Feltet er påkravd."),
    ],
)
def test_a_bad_reply_is_shown_again_with_a_clear_message(client, language, text, message):
    priority = make_priority()
    client.force_login(councillor())
    client.cookies["django_language"] = language
    url = reverse("priorities:replies", args=["priority", priority.pk])
    response = client.post(url, {"reply-text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'class="error-summary"' in page
    assert not PriorityReply.objects.exists()


def test_the_author_answers_back_through_the_page_once(client):
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    url = reverse("priorities:reply_answer", args=["priority", reply.pk])
    field = f"answer-{reply.pk}-text"

    client.force_login(UserFactory())
    assert client.post(url, {field: "Jeg svarer for en annen."}).status_code == 403
    client.force_login(author)
    assert client.post(url, {field: "Kort"}).status_code == 400
    assert PriorityReply.objects.count() == 1
    response = client.post(url, {field: "Takk for at du svarte meg."})
    assert response.status_code == 302 and response["Location"] == priority.get_absolute_url()
    client.cookies["django_language"] = "nn"
    again = client.post(url, {field: "Eit svar til, som ikkje skal lagrast."})
    assert again.status_code == 400 and "Du har allereie svart" in again.content.decode()
    assert PriorityReply.objects.filter(parent=reply).count() == 1


def test_a_moderator_hides_through_the_page_and_the_reason_is_shown(client):
    priority = make_priority()
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    url = reverse("priorities:reply_moderate", args=["priority", reply.pk])
    prefix = f"moderate-{reply.pk}"
    client.force_login(UserFactory())
    assert client.post(url, {f"{prefix}-action": "hide"}).status_code == 403
    client.force_login(staff(Role.MODERATOR))
    assert client.post(url, {f"{prefix}-action": "hide"}).status_code == 400  # no reason
    response = client.post(url, {f"{prefix}-action": "hide", f"{prefix}-reason": "Usaklig"})
    assert response.status_code == 302
    client.logout()
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "Usaklig" in page and "Jeg tar dette opp i kommunestyret." not in page


def test_a_hidden_priority_keeps_its_replies_page_out_of_reach(client):
    priority = make_priority()
    services.priority_moderate(
        priority=priority, moderator=staff(Role.MODERATOR), hide=True, reason="Personopplysninger"
    )
    url = reverse("priorities:replies", args=["priority", priority.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("priorities:replies", args=["nokind", priority.pk])).status_code == 404
    )


def test_a_councillor_replies_to_a_council_submission_on_its_page(client):
    council = CouncilFactory(areas=[municipality_area()])
    secretary = council_secretary(council)
    submission = SubmissionFactory(council=council, author=secretary)
    client.force_login(councillor())
    url = reverse("priorities:replies", args=["submission", submission.pk])
    assert client.post(url, {"reply-text": "Godt innspill fra rådet."}).status_code == 302
    reply = SubmissionReply.objects.get()
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Godt innspill fra rådet." in page and OWN_VIEW["nb"] in page

    client.force_login(secretary)
    answer = reverse("priorities:reply_answer", args=["submission", reply.pk])
    field = f"answer-{reply.pk}-text"
    assert client.post(answer, {field: "Takk fra rådet."}).status_code == 302
    assert SubmissionReply.objects.filter(parent=reply).count() == 1


def test_a_councillor_edits_their_profile(client):
    member = councillor()
    grant = RoleGrant.objects.get(user=member, role=Role.COUNCILLOR)
    client.force_login(member)
    url = reverse("councillor_profile")
    prefix = f"grant-{grant.pk}"
    bad = client.post(url, {f"{prefix}-public_name": "", f"{prefix}-party": "Ap"})
    assert bad.status_code == 400
    data = {
        f"{prefix}-public_name": "Kari Folkevalgt",
        f"{prefix}-party": "Senterpartiet",
        f"{prefix}-elected_body": "Formannskapet",
    }
    assert client.post(url, data).status_code == 302
    grant.refresh_from_db()
    assert (grant.public_name, grant.party, grant.elected_body) == (
        "Kari Folkevalgt",
        "Senterpartiet",
        "Formannskapet",
    )
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


# --- the API -----------------------------------------------------------------------------


def test_the_api_lists_public_replies_with_the_record():
    author = UserFactory()
    priority = make_priority(author)
    first = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    services.reply_answer_back(first, author, "Takk for at du svarte meg.")
    hidden = services.reply_create(priority, councillor(), "Dette svaret blir skjult.")
    services.reply_moderate(hidden, staff(Role.MODERATOR), hide=True, reason="Usaklig")
    api = APIClient()

    listed = api.get(reverse("api:record-replies", args=["priority", priority.pk])).json()
    assert [row["text"] for row in listed] == ["Jeg tar dette opp i kommunestyret."]
    assert listed[0]["party"] == "Bygdelista" and listed[0]["own_view"] is True
    assert listed[0]["answer"]["text"] == "Takk for at du svarte meg."
    detail = api.get(reverse("api:priority-detail", args=[priority.pk])).json()
    assert [row["id"] for row in detail["properties"]["replies"]] == [first.pk]


def test_a_councillor_replies_through_the_api_once_per_idempotency_key():
    priority = make_priority(UserFactory())
    url = reverse("api:record-replies", args=["priority", priority.pk])
    api = APIClient()
    api.force_authenticate(UserFactory())
    refused = api.post(url, {"text": "Jeg mener noe om dette."}, format="json")
    assert refused.status_code == 403 and not PriorityReply.objects.exists()

    api.force_authenticate(councillor())
    bad = api.post(url, {"text": "   "}, format="json", HTTP_ACCEPT_LANGUAGE="nn")
    assert bad.status_code == 400 and "text" in bad.json()["errors"]
    headers = {"HTTP_IDEMPOTENCY_KEY": "svar-1"}
    made = api.post(url, {"text": "Jeg tar dette opp."}, format="json", **headers)
    again = api.post(url, {"text": "Jeg tar dette opp."}, format="json", **headers)
    assert made.status_code == again.status_code == 201
    assert made.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert PriorityReply.objects.count() == 1 and reply_jobs().count() == 1


# --- the digests -------------------------------------------------------------------------


def test_digests_show_the_replies_in_one_query_per_kind():
    planner = staff(Role.PLANNER)
    member = councillor()
    author = UserFactory()
    priorities = [make_priority(author, title=f"Trygg skolevei {n}") for n in range(3)]
    council = CouncilFactory(areas=[municipality_area()])
    submission = SubmissionFactory(council=council, author=council_secretary(council))
    reply = services.reply_create(priorities[0], member, "Jeg tar dette opp i kommunestyret.")
    services.reply_answer_back(reply, author, "Takk for at du svarte meg.")
    services.reply_create(submission, member, "Godt innspill fra rådet.")
    area = Area.objects.covering(Point(*BODO_CENTRE, srid=4326)).get(type__slug="kommune")

    data = digests.area_digest([area.pk])
    top = {row["id"]: row for row in data["top"]}
    (shown,) = top[priorities[0].pk]["replies"]
    assert shown["by"] == "Ola Folkevalgt, Bygdelista, Kommunestyret"
    assert shown["answer"] == "Takk for at du svarte meg."
    assert top[priorities[1].pk]["replies"] == []
    (section,) = [s for s in data["inputs"] if s["kind"] == "submission"]
    (row,) = [r for g in section["groups"] for r in g["rows"] if r["id"] == submission.pk]
    assert [r["text"] for r in row["replies"]] == ["Godt innspill fra rådet."]

    # Replies to more rows cost no more queries.
    with CaptureQueriesContext(connection) as before:
        digests.area_digest([area.pk])
    for priority in priorities[1:]:
        services.reply_create(priority, member, "Også dette tar jeg opp.")
    with CaptureQueriesContext(connection) as after:
        digests.area_digest([area.pk])
    assert len(after.captured_queries) == len(before.captured_queries)

    case = make_case(planner, number="2026/4321")
    services.input_set_status(
        records=[priorities[0]],
        status="in_case",
        public_text="Tas med i saken.",
        actor=planner,
        case_number=case.number,
    )
    linked = digests.case_digest(case)["linked"]
    assert [r["text"] for r in linked[0]["replies"]] == ["Jeg tar dette opp i kommunestyret."]


def test_the_case_digest_page_and_its_frozen_pdf_show_the_replies(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER)
    priority = make_priority(UserFactory(), title="Trygg skolevei")
    services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    case = make_case(planner, number="2026/4322")
    page = client.get(reverse("cases:digest", args=[case.pk])).content.decode()
    assert "Jeg tar dette opp i kommunestyret." in page and "Ola Folkevalgt" in page
    frozen = case_services.digest_freeze(actor=planner, case=case)
    assert "Jeg tar dette opp i kommunestyret." in frozen.html
    reader = PdfReader(BytesIO(frozen.pdf.file.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Jeg tar dette opp i kommunestyret." in text and "Ola Folkevalgt" in text


# --- a new kind with a reply table needs no edit -----------------------------------------


class Petition(InputRecord):
    """A throwaway kind of input with replies."""

    title = models.CharField(max_length=200)
    areas = models.ManyToManyField("areas.Area", related_name="+")

    class Meta:
        app_label = "throwaway_replies"

    def get_absolute_url(self) -> str:
        return f"/petitions/{self.pk}/"


class PetitionStatusChange(StatusChange):
    record = models.ForeignKey(Petition, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        app_label = "throwaway_replies"


class PetitionCaseLink(CaseLink):
    record = models.ForeignKey(Petition, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        app_label = "throwaway_replies"


class PetitionReply(Reply):
    record = models.ForeignKey(Petition, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        app_label = "throwaway_replies"
        constraints, indexes, _triggers = reply_meta("petitionreply")


TABLES = (Petition, PetitionStatusChange, PetitionCaseLink, PetitionReply)


def _row(petition: Petition) -> dict:
    return {
        "id": petition.pk,
        "reference": petition.reference,
        "title": petition.title,
        "source": "",
        "status": petition.status,
        "status_label": petition.get_status_display(),
        "url": petition.get_absolute_url(),
    }


@pytest.fixture
def petitions():
    owner = connections.create_connection("owner")
    owner.settings_dict["NAME"] = connections["default"].settings_dict["NAME"]
    with owner.schema_editor() as editor:
        for model in TABLES:
            editor.create_model(model)
    kind = kinds.register(
        kinds.InputKind(
            key="petition",
            model=Petition,
            status_changes=PetitionStatusChange,
            case_links=PetitionCaseLink,
            replies=PetitionReply,
            label="petition",
            label_plural="petitions",
            digest_row=_row,
        )
    )
    yield kind
    kinds.unregister("petition")
    with owner.schema_editor() as editor:
        for model in reversed(TABLES):
            editor.delete_model(model)
    owner.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_new_kind_with_a_reply_table_takes_replies_with_no_edit(petitions, demo_live, client):
    resident = UserFactory(email="petisjon@example.no", language="nn")
    bodo = Municipality.objects.get(code="1804")
    area = Area.objects.covering(Point(*BODO_CENTRE, srid=4326)).get(type__slug="skolekrets")
    petition = Petition.objects.create(
        reference="PE-2026-000001", municipality=bodo, author=resident, title="Lys i parken"
    )
    Petition.areas.through.objects.create(petition=petition, area=area)
    member = councillor()

    client.force_login(member)
    url = reverse("priorities:replies", args=["petition", petition.pk])
    assert client.post(url, {"reply-text": "Eg tek dette opp i kommunestyret."}).status_code == 302
    reply = PetitionReply.objects.get()
    assert reply.record_id == petition.pk and reply.party == "Bygdelista"
    assert "Eg tek dette opp i kommunestyret." in client.get(url).content.decode()

    (job,) = reply_jobs()
    tasks.notify_reply(**job.args)
    (message,) = mail.outbox
    assert message.to == [resident.email] and "ikkje svaret frå kommunen" in message.body

    (section,) = [s for s in digests.area_digest([area.pk])["inputs"] if s["kind"] == "petition"]
    (row,) = [r for g in section["groups"] for r in g["rows"]]
    assert [r["text"] for r in row["replies"]] == ["Eg tek dette opp i kommunestyret."]

    with pytest.raises(PermissionDenied):
        services.reply_answer_back(reply, UserFactory(), "Eit svar frå ein annan.")
    services.reply_answer_back(reply, resident, "Takk for svaret!")
    with pytest.raises(ValidationError):
        services.reply_answer_back(reply, resident, "Eit svar til frå meg.")
    assert PetitionReply.objects.count() == 2


def test_the_author_answers_back_through_the_api_once():
    author = UserFactory()
    priority = make_priority(author)
    reply = services.reply_create(priority, councillor(), "Jeg tar dette opp i kommunestyret.")
    url = reverse("api:reply-answer", args=["priority", reply.pk])
    api = APIClient()
    assert api.post(url, {"text": "Takk for svaret."}, format="json").status_code == 401
    api.force_authenticate(UserFactory())
    assert api.post(url, {"text": "Takk for svaret."}, format="json").status_code == 403
    api.force_authenticate(author)
    assert api.post(url, {"text": ""}, format="json").status_code == 400
    made = api.post(url, {"text": "Takk for svaret."}, format="json")
    assert made.status_code == 201 and made.json()["text"] == "Takk for svaret."
    again = api.post(url, {"text": "Et svar til."}, format="json", HTTP_ACCEPT_LANGUAGE="nn")
    assert again.status_code == 400 and "Du har allereie svart" in again.json()["detail"]
    assert PriorityReply.objects.filter(parent=reply).count() == 1


def test_after_a_success_the_page_opens_without_a_fragment_so_its_message_takes_focus(client):
    """A page opened at a fragment (``#replies``) runs no autofocus (HTML's autofocus
    steps stop when the document has a target element), so the message saying the reply
    is published would not take focus: the forms send the person to the page itself. The
    e-mails' links keep the fragment, to open the page at the replies."""
    priority = make_priority(UserFactory())
    kind = kinds.of(priority)
    assert kind.replies_url(priority) == f"{priority.get_absolute_url()}#replies"
    assert kind.replies_url(priority, fragment=False) == priority.get_absolute_url()
    client.force_login(councillor())
    url = reverse("priorities:replies", args=["priority", priority.pk])
    response = client.post(url, {"reply-text": "Jeg tar dette opp i kommunestyret."}, follow=True)
    assert response.redirect_chain == [(priority.get_absolute_url(), 302)]
    page = response.content.decode()
    assert 'class="messages" role="status" tabindex="-1" autofocus' in page
