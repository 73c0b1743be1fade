"""Panel members' pages through their personal link, the planner's information, sessions
and survey pages, the panel's section of the case's digest (live and frozen), and the
decision e-mailed to the members."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role
from cases import digests
from cases import services as case_services
from meetings.models import Meeting
from panels import survey, tasks
from panels.member_links import member_token
from panels.models import MemberAccess, PanelStatus, SurveyResponse, ThemeDocument
from tests.meetings.factories import tomorrow_evening
from tests.panels.survey_factories import make_members, make_panel, make_survey
from tests.priorities.factories import UserFactory, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def job(task, **kwargs):
    """Run a job's body in the test's transaction (the worker's wrapper would close the
    test's connection)."""
    return task.func.__wrapped__(**kwargs)


def send_links(client, planner, panel, language="nb", captured=None):
    client.force_login(planner)
    response = client.post(f"/panels/{panel.pk}/members/", {"language": language})
    assert response.status_code == 302
    for access in MemberAccess.objects.filter(volunteer__panel=panel):
        job(tasks.send_member_link, access_id=access.pk)
    client.logout()


def enter(client, access) -> int:
    return client.get(f"/p/{member_token(access)}/").status_code


def test_members_get_their_link_once_in_their_language_and_enter_without_a_password(
    planner, settings, django_capture_on_commit_callbacks
):
    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    panel = make_panel(planner)
    first, second = make_members(panel, 2)
    UserFactory(email=second.email, language="nn")  # has an account already, in Nynorsk
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        send_links(client, planner, panel, language="nb")
    for access in MemberAccess.objects.all():  # a retried job sends nothing again
        job(tasks.send_member_link, access_id=access.pk)

    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Din lenke til borgerpanelet" in by_address[first.email].subject
    assert "Lenkja di til borgarpanelet" in by_address[second.email].subject
    (link,) = re.findall(r"https://nabolaget\.example\.no(/p/\S+)", by_address[first.email].body)
    member = Client()
    response = member.get(link)
    assert response.status_code == 302 and response.url == f"/panels/{panel.pk}/member/"
    page = member.get(response.url)
    assert page.status_code == 200
    assert "Velkommen, Medlem 1" in page.content.decode()


def test_guessed_revoked_and_replaced_links_fail(planner):
    panel = make_panel(planner)
    make_members(panel, 1)
    client = Client()
    send_links(client, planner, panel)
    access = MemberAccess.objects.get()
    member = Client()

    assert member.get("/p/eyJhIjoxLCJuIjoiMTIzIn0:1abcde:forged/").status_code == 404
    assert enter(member, access) == 302
    old_token = member_token(access)
    client.force_login(planner)
    assert client.post(f"/panel-members/{access.pk}/renew/").status_code == 302
    assert member.get(f"/p/{old_token}/").status_code == 404
    # The browser that opened the old link is shut out too.
    refused = member.get(f"/panels/{panel.pk}/member/")
    assert refused.status_code == 403
    assert "Denne lenken til panelets medlemsside er ikke gyldig" in refused.content.decode()
    access.refresh_from_db()
    assert enter(member, access) == 302
    assert client.post(f"/panel-members/{access.pk}/revoke/").status_code == 302
    assert member.get(f"/panels/{panel.pk}/member/").status_code == 403
    assert enter(member, access) == 404
    assert member.get(f"/panels/{panel.pk}/survey/").status_code == 403


def test_the_link_endpoint_is_rate_limited_per_address(planner, settings):
    settings.NABOLAGET_RATES = {**settings.NABOLAGET_RATES, "panel_member_address": "3/hour"}
    member = Client()
    for _ in range(3):
        assert member.get("/p/not-a-token/").status_code == 404
    refused = member.get("/p/not-a-token/")
    assert refused.status_code == 429 and refused["Retry-After"]


def _answers(questions, **overrides):
    single, multiple, scale, free = questions
    return {
        f"q{single.pk}": "0",
        f"q{multiple.pk}": ["0", "2"],
        f"q{scale.pk}": "4",
        f"q{free.pk}": "Flere benker, takk.",
    } | {f"q{questions[int(k[1:])].pk}": v for k, v in overrides.items()}


def test_a_member_answers_the_survey_once_on_the_page(planner):
    panel = make_panel(planner)
    make_members(panel, 1)
    send_links(Client(), planner, panel)
    the_survey, questions = make_survey(panel, planner)
    member = Client()
    enter(member, MemberAccess.objects.get())

    form = member.get(f"/panels/{panel.pk}/survey/")
    assert form.status_code == 200 and "Bør bilene ut av Storgata?" in form.content.decode()
    bad = member.post(f"/panels/{panel.pk}/survey/", _answers(questions, q0="7", q2="9"))
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "error-summary" in body and "Velg blant alternativene" in body
    assert "Velg et helt tall fra 1 til 5" in body
    long_text = member.post(f"/panels/{panel.pk}/survey/", _answers(questions, q3="x" * 2001))
    assert long_text.status_code == 400
    assert not SurveyResponse.objects.exists()

    assert member.post(f"/panels/{panel.pk}/survey/", _answers(questions)).status_code == 302
    again = member.post(f"/panels/{panel.pk}/survey/", _answers(questions, q0="1"))
    assert again.status_code == 409
    assert "Du har allerede svart på denne undersøkelsen" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert (
        "Du har svart på undersøkelsen"
        in member.get(f"/panels/{panel.pk}/member/").content.decode()
    )


def test_someone_without_a_members_link_cannot_answer(planner):
    panel = make_panel(planner)
    the_survey, questions = make_survey(panel, planner)
    stranger = Client()
    stranger.force_login(UserFactory())

    refused = stranger.post(f"/panels/{panel.pk}/survey/", _answers(questions))

    assert refused.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_the_planner_adds_pdfs_checked_by_content_and_the_information_is_public(planner, settings):
    panel = make_panel(planner)
    theme = panel.themes.first()
    client = Client()
    client.force_login(planner)
    url = f"/panel-themes/{theme.pk}/information/"

    fake = SimpleUploadedFile(
        "plan.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    refused = client.post(url, {"information": "Om trafikken", "documents": [fake]})
    assert refused.status_code == 400
    assert "plan.pdf er ikke en PDF-fil som kan leses" in refused.content.decode()
    settings.NABOLAGET_ATTACHMENT_MAX_BYTES = 1000
    big = SimpleUploadedFile("stor.pdf", plain_pdf() + b"%" * 2000, "application/pdf")
    too_big = client.post(url, {"information": "Om trafikken", "documents": [big]})
    assert too_big.status_code == 413 and "stor.pdf er for stor" in too_big.content.decode()
    assert not ThemeDocument.objects.exists()
    settings.NABOLAGET_ATTACHMENT_MAX_BYTES = 10_000_000

    good = SimpleUploadedFile("trafikk.pdf", plain_pdf("Trafikk"), "application/pdf")
    saved = client.post(url, {"information": "Trafikken i sentrum i dag.", "documents": [good]})
    assert saved.status_code == 302
    document = ThemeDocument.objects.get()

    public = Client().get(f"/panels/{panel.pk}/information/")
    body = public.content.decode()
    assert public.status_code == 200 and "Trafikken i sentrum i dag." in body
    assert f"/panel-documents/{document.pk}/" in body and 'data-case-layers="true"' in body
    download = Client().get(f"/panel-documents/{document.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_information_of_a_panel_being_set_up_is_not_public(planner):
    panel = make_panel(planner, status=PanelStatus.DRAFT)
    assert Client().get(f"/panels/{panel.pk}/information/").status_code == 404


def session_form(**overrides):
    starts = tomorrow_evening(days=3)
    return {
        "title": "Første samling",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place_name": "Stormen bibliotek",
        "lat": "67.283",
        "lon": "14.385",
    } | overrides


def test_sessions_are_meetings_on_the_case_and_a_digital_ones_link_is_for_members(planner):
    panel = make_panel(planner)
    make_members(panel, 1)
    send_links(Client(), planner, panel)
    client = Client()
    client.force_login(planner)
    url = f"/panels/{panel.pk}/sessions/"

    no_link = client.post(url, session_form(digital="on", title="Digital samling"))
    assert no_link.status_code == 400
    assert "Oppgi lenken til det digitale møtet" in no_link.content.decode()
    assert client.post(url, session_form()).status_code == 302
    digital = session_form(
        digital="on", title="Digital samling", link="https://meet.example.no/panel-1"
    )
    assert client.post(url, digital).status_code == 302

    meetings = Meeting.objects.filter(case=panel.case).order_by("title")
    assert [m.title for m in meetings] == ["Digital samling", "Første samling"]
    assert all(m.panel_session.panel_id == panel.pk for m in meetings)
    public = Client().get(meetings[0].get_absolute_url()).content.decode()
    assert "meet.example.no" not in public
    member = Client()
    enter(member, MemberAccess.objects.get())
    assert (
        "https://meet.example.no/panel-1"
        in member.get(f"/panels/{panel.pk}/member/").content.decode()
    )


def test_the_digest_has_the_sessions_summaries_and_the_closed_surveys_results(planner):
    panel = make_panel(planner)
    chosen = make_members(panel, 7)
    the_survey, questions = make_survey(panel, planner)
    for index, member in enumerate(chosen):
        survey.survey_answer(
            survey=the_survey,
            volunteer=member,
            answers={
                questions[0].pk: index % 3,
                questions[1].pk: [0],
                questions[2].pk: 1 + index % 5,
                questions[3].pk: "Mer grønt" if index == 0 else "",
            },
        )
    client = Client()
    client.force_login(planner)
    client.post(f"/panels/{panel.pk}/sessions/", session_form())
    session = panel.sessions.get()
    assert (
        client.post(f"/panel-sessions/{session.pk}/summary/", {"summary": "kort"}).status_code
        == 400
    )
    client.post(
        f"/panel-sessions/{session.pk}/summary/",
        {"summary": "Panelet ville ha færre biler og flere trær."},
    )
    assert digests.case_digest(panel.case)["sections"][-1]["data"]["panels"][0]["survey"] is None
    assert client.post(f"/panels/{panel.pk}/survey/close/").status_code == 302

    frozen = case_services.digest_freeze(actor=planner, case=panel.case)

    (section,) = [s for s in frozen.data["sections"] if s["key"] == "panels"]
    item = section["data"]["panels"][0]
    assert item["sessions"][0]["summary"] == "Panelet ville ha færre biler og flere trær."
    results = item["survey"]
    assert results["respondents"] == 7
    assert [o["percent"] for o in results["questions"][0]["options"]] == [42.9, 28.6, 28.6]
    assert "Panelet ville ha færre biler" in frozen.html
    assert "Bør bilene ut av Storgata?" in frozen.html and "færre enn 5" in frozen.html
    svg = re.search(r"<svg class=\"bar-chart\".*?</svg>", frozen.html, re.S).group(0)
    assert "42.9 %" in svg and "42,9" not in svg
    assert "42,9 %" in frozen.html  # the table, in the reader's language
    assert frozen.pdf.file.read().startswith(b"%PDF-")
    assert Client().get(f"/panels/{panel.pk}/survey/results/").status_code == 200


def test_members_are_told_the_decision_once_in_their_language(planner):
    panel = make_panel(planner)
    first, second = make_members(panel, 2)
    UserFactory(email=second.email, language="nn")
    send_links(Client(), planner, panel)
    mail.outbox.clear()
    assert job(tasks.tell_members_of_decisions) == 0  # not decided yet

    case_services.case_update(
        actor=planner, case=panel.case, status="decided", decision="Storgata blir gågate."
    )

    assert job(tasks.tell_members_of_decisions) == 2
    assert job(tasks.tell_members_of_decisions) == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "er vedtatt" in by_address[first.email].subject
    assert "er vedteken" in by_address[second.email].subject
    assert "Storgata blir gågate." in by_address[first.email].body
    assert f"/cases/{panel.case.pk}/" in by_address[first.email].body


def test_members_are_told_once_that_the_survey_is_open(planner, django_capture_on_commit_callbacks):
    panel = make_panel(planner)
    first, second = make_members(panel, 2)
    UserFactory(email=second.email, language="nn")
    send_links(Client(), planner, panel)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        the_survey, _questions = make_survey(panel, planner)
    assert len(queued) == 1  # the job is queued once the survey's opening is committed

    assert job(tasks.tell_members_survey_open, survey_id=the_survey.pk) == 2
    assert job(tasks.tell_members_survey_open, survey_id=the_survey.pk) == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Undersøkelsen til borgerpanelet" in by_address[first.email].subject
    assert "Undersøkinga til borgarpanelet" in by_address[second.email].subject
    assert "/p/" in by_address[first.email].body
