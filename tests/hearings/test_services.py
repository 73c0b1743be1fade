"""Hearings: a planner opens one, people answer it (late answers accepted and marked), a
moderator publishes, the planner sums it up by theme, and the case's digest shows it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InternalError, ProgrammingError, connection, transaction
from django.utils import timezone, translation
from procrastinate.contrib.django.models import ProcrastinateJob
from pypdf import PdfReader

from accounts.models import Role
from cases import digests
from cases import services as case_services
from follows.models import Announcement
from hearings import services
from hearings.models import (
    Hearing,
    HearingAnswer,
    HearingAnswerAttachment,
    HearingAnswerCaseLink,
    HearingDocument,
    HearingTheme,
)
from priorities import services as loop
from priorities import tasks as loop_tasks
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import make_case
from tests.hearings.factories import answer, make_hearing
from tests.priorities.factories import UserFactory, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db
VALID_ORGNR = "923609016"
BAD_ORGNR = "923609017"  # the check digit is wrong
NOT_A_PDF = b"%PDF-1.4\n<html><script>alert(1)</script></html>"


def pdf(name="vedlegg.pdf", data=None):
    return SimpleUploadedFile(name, data or plain_pdf(), "application/pdf")


def written():
    return (
        Hearing.objects.count(),
        HearingDocument.objects.count(),
        HearingAnswer.all_objects.count(),
        HearingAnswerAttachment.objects.count(),
        HearingAnswerCaseLink.objects.count(),
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


@pytest.fixture
def hearing(planner):
    return make_hearing(planner)


def test_a_planner_opens_a_hearing_with_documents_and_the_followers_are_told(planner):
    case = make_case(planner)

    hearing = make_hearing(planner, case=case, documents=[pdf("planforslag.pdf")])

    assert hearing.case == case and hearing.is_open
    (document,) = hearing.documents.all()
    assert document.name == "planforslag.pdf" and len(document.sha256) == 64
    announcement = Announcement.objects.get(key=f"hearing:{hearing.pk}:opened")
    assert announcement.topic == "hearing"
    assert announcement.url == hearing.get_absolute_url()
    assert set(announcement.areas.all()) == set(case.areas.all()) and case.areas.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The deadline cannot be before the hearing opens."),
        ("nb", "Fristen kan ikke være før høringen åpner."),
        ("nn", "Fristen kan ikkje vere før høyringa opnar."),
    ],
)
def test_a_deadline_before_the_start_is_refused_and_nothing_written(planner, language, message):
    case = make_case(planner)
    before = written()
    today = timezone.localdate()

    with translation.override(language), pytest.raises(ValidationError) as refused:
        make_hearing(
            planner, case=case, opens_on=today, closes_on=today - datetime.timedelta(days=1)
        )

    assert refused.value.message_dict == {"closes_on": [message]}
    assert written() == before
    assert not Announcement.objects.filter(topic="hearing").exists()  # the case's is there


@pytest.mark.parametrize("role", [None, Role.COUNCILLOR, Role.MODERATOR])
def test_only_a_planner_of_the_municipality_opens_a_hearing(planner, role):
    case = make_case(planner)
    someone = staff(role) if role else UserFactory()

    with pytest.raises(PermissionDenied):
        make_hearing(someone, case=case)
    with pytest.raises(PermissionDenied):
        make_hearing(staff(Role.PLANNER, code="1806"), case=case)

    assert not Hearing.objects.exists()


def test_a_document_that_is_not_a_pdf_is_refused(planner):
    case = make_case(planner)

    with pytest.raises(ValidationError) as refused:
        make_hearing(planner, case=case, documents=[pdf("plan.pdf", NOT_A_PDF)])

    assert "plan.pdf is not a PDF file that can be read." in refused.value.message_dict["documents"]
    assert not Hearing.objects.exists() and not HearingDocument.objects.exists()


def test_a_resident_answers_gets_a_receipt_and_the_answer_is_linked_to_the_case(hearing):
    resident = UserFactory()

    given = answer(resident, hearing, attachments=[pdf("kart.pdf")])

    assert given.reference.startswith(f"HS-{timezone.localdate().year}-")
    assert given.is_public and not given.late
    assert given.public_name == "Kari Nordmann"
    assert set(given.areas.all()) == set(hearing.case.areas.all())
    assert given.attachments.get().name == "kart.pdf"
    (link,) = given.case_links.all()
    assert link.case_number == hearing.case.number
    job = ProcrastinateJob.objects.get(task_name__endswith="send_receipt")
    assert job.args == {"kind": "hearing_answer", "record_id": given.pk}


def test_the_receipt_e_mail_names_the_reference_in_the_residents_language(hearing, mailoutbox):
    resident = UserFactory(language="nn")
    given = answer(resident, hearing)

    # The job's function, on the test's connection (the job itself closes its connection).
    loop_tasks.send_receipt.func.__wrapped__(kind="hearing_answer", record_id=given.pk)

    (message,) = mailoutbox
    assert message.to == [resident.email]
    assert given.reference in message.subject and given.reference in message.body
    assert hearing.title in message.body


def test_a_name_withheld_is_not_shown(hearing):
    given = answer(UserFactory(), hearing, signed_name="Ola", name_withheld=True)

    assert given.public_name == ""
    assert given.signed_name == "Ola"  # kept on the record, not shown


def test_an_answer_after_the_deadline_is_accepted_and_marked_late(planner):
    today = timezone.localdate()
    closed = make_hearing(
        planner,
        opens_on=today - datetime.timedelta(days=20),
        closes_on=today - datetime.timedelta(days=1),
    )

    given = answer(UserFactory(), closed)

    assert given.late and HearingAnswer.all_objects.filter(pk=given.pk, late=True).exists()


def test_an_organisation_answers_with_a_checked_organisation_number(hearing):
    given = answer(
        UserFactory(),
        hearing,
        respondent="organisation",
        organisation_name="Bodø Velforening",
        organisation_number="923 609 016",
        contact_person="Per Hansen",
    )

    assert given.organisation_number == VALID_ORGNR
    assert given.public_name == "Bodø Velforening"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This organisation number's check digit is wrong."),
        ("nb", "Kontrollsifferet i dette organisasjonsnummeret er feil."),
        ("nn", "Kontrollsifferet i dette organisasjonsnummeret er feil."),
    ],
)
def test_an_organisation_number_failing_its_check_is_refused(hearing, language, message):
    before = written()

    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            answer(
                UserFactory(),
                hearing,
                respondent="organisation",
                organisation_name="Bodø Velforening",
                organisation_number=BAD_ORGNR,
                contact_person="Per Hansen",
            )
        said = refused.value.message_dict["organisation_number"]

    assert said == [message]
    assert written() == before
    assert not ProcrastinateJob.objects.filter(task_name__endswith="send_receipt").exists()


def test_an_attachment_that_is_not_a_pdf_is_refused_and_nothing_written(hearing):
    before = written()

    with pytest.raises(ValidationError) as refused:
        answer(UserFactory(), hearing, attachments=[pdf("svar.pdf", NOT_A_PDF)])

    assert refused.value.message_dict["attachments"] == [
        "svar.pdf is not a PDF file that can be read."
    ]
    assert written() == before


def test_an_invited_only_hearing_refuses_the_uninvited_and_writes_nothing(planner):
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    other_council = CouncilFactory(name="Eldrerådet", areas=[municipality_area("1804")])
    secretary = council_secretary(council)
    other_secretary = council_secretary(other_council)
    hearing = make_hearing(
        planner,
        audience="invited",
        invited_councils=[council],
        invited_emails=["post@velforening.no"],
    )
    before = written()

    with pytest.raises(PermissionDenied, match="invited councils and organisations only"):
        answer(UserFactory(), hearing)
    with pytest.raises(PermissionDenied):
        answer(other_secretary, hearing, respondent="council", council=other_council)
    with pytest.raises(PermissionDenied):  # a secretary answers only for her own council
        answer(other_secretary, hearing, respondent="council", council=council)
    with pytest.raises(PermissionDenied):
        answer(
            UserFactory(email="annen@example.no"),
            hearing,
            respondent="organisation",
            organisation_name="Annen forening",
            organisation_number=VALID_ORGNR,
            contact_person="Per",
        )
    assert written() == before

    from_council = answer(secretary, hearing, respondent="council", council=council)
    from_organisation = answer(
        UserFactory(email="Post@Velforening.no"),
        hearing,
        respondent="organisation",
        organisation_name="Bodø Velforening",
        organisation_number=VALID_ORGNR,
        contact_person="Per",
    )
    assert from_council.public_name == "Ungdomsrådet i Bodø"
    assert from_organisation.respondent == "organisation"


def test_answers_after_review_wait_for_a_moderator(planner):
    hearing = make_hearing(planner, publication="after_review")
    given = answer(UserFactory(), hearing)

    assert given.visibility == "pending_review"
    assert not HearingAnswer.public_objects.filter(pk=given.pk).exists()
    with pytest.raises(PermissionDenied):
        services.answer_moderate(moderator=planner, answer=given, publish=True)

    services.answer_moderate(moderator=staff(Role.MODERATOR), answer=given, publish=True)

    assert HearingAnswer.public_objects.filter(pk=given.pk).exists()


def test_what_was_answered_stays_on_the_record(hearing):
    given = answer(UserFactory(), hearing)

    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        HearingAnswer.all_objects.filter(pk=given.pk).update(text="Noe annet enn det som ble sagt.")
    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM hearings_hearinganswer WHERE id = %s", [given.pk])
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Hearing.objects.filter(pk=hearing.pk).update(closes_on=hearing.opens_on)


def test_the_planner_answers_through_the_one_feedback_loop(hearing, planner):
    given = answer(UserFactory(), hearing)

    loop.input_set_status(
        records=[given],
        status="under_consideration",
        public_text="Vi tar det med i planarbeidet.",
        actor=planner,
    )

    given.refresh_from_db()
    assert given.status == "under_consideration"
    assert given.status_changes.get().actor_role == Role.PLANNER


def test_the_summary_by_theme_and_the_counts_are_in_the_frozen_digest_and_its_pdf(planner):
    today = timezone.localdate()
    hearing = make_hearing(planner, opens_on=today - datetime.timedelta(days=20))
    on_time = answer(UserFactory(), hearing)
    organisation = answer(
        UserFactory(),
        hearing,
        respondent="organisation",
        organisation_name="Bodø Velforening",
        organisation_number=VALID_ORGNR,
        contact_person="Per",
    )
    services.theme_save(
        actor=planner,
        hearing=hearing,
        title="Skoleveien",
        text="Mange ber om gangfelt og lavere fart ved skolen.",
        references=[on_time.reference, organisation.reference.lower()],
    )
    with pytest.raises(ValidationError, match="HS-1999-000001"):
        services.theme_save(
            actor=planner,
            hearing=hearing,
            title="Annet",
            text="Svar som ikke finnes her.",
            references=["HS-1999-000001"],
        )

    live = digests.case_digest(hearing.case)
    # Other apps' sections (e.g. the representation, where population counts are loaded)
    # may be there too; this test reads the hearings'.
    (section,) = [s for s in live["sections"] if s["key"] == "hearings"]
    (summary,) = section["data"]["hearings"]
    assert summary["counts"]["answers"] == 2 and summary["counts"]["late"] == 0
    assert {row["respondent"]: row["count"] for row in summary["counts"]["by_respondent"]} == {
        "resident": 1,
        "organisation": 1,
        "council": 0,
    }
    assert summary["themes"] == [
        {
            "title": "Skoleveien",
            "text": "Mange ber om gangfelt og lavere fart ved skolen.",
            "answers": sorted([on_time.reference, organisation.reference]),
        }
    ]
    linked = next(s for s in live["inputs"] if s["kind"] == "hearing_answer")["linked"]
    assert {row["reference"] for row in linked} == {on_time.reference, organisation.reference}

    frozen = case_services.digest_freeze(actor=planner, case=hearing.case)

    (frozen_section,) = [s for s in frozen.data["sections"] if s["key"] == "hearings"]
    assert frozen_section["data"]["hearings"][0]["themes"][0]["title"] == "Skoleveien"
    assert "Skoleveien" in frozen.html and "Mange ber om gangfelt" in frozen.html
    with frozen.pdf.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Skoleveien" in text and on_time.reference in text
    assert HearingTheme.objects.get().answers.count() == 2


def test_a_case_without_hearings_has_no_hearings_section_in_its_digest(planner):
    live = digests.case_digest(make_case(planner))
    assert "hearings" not in {section["key"] for section in live.get("sections", [])}


def test_an_answer_text_is_checked_like_other_input(hearing):
    with pytest.raises(ValidationError) as refused:
        answer(UserFactory(), hearing, text="Kort")

    assert "text" in refused.value.message_dict
    assert not HearingAnswer.all_objects.exists()
