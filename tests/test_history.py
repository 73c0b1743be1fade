"""Records on the record: append-only in the database itself, and every change in the history.

Each record kind is one line in RECORDS (a frozen digest is one more line); every attack
is tried on every kind: ``save()``, ``QuerySet.update``, ``bulk_update``, ``bulk_create``
with ``update_conflicts``, raw SQL, and deletion through the ORM and raw SQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Role
from areas.models import Area
from cases import services as case_services
from cases.models import CaseAreaAdjustment, FrozenDigest, FrozenDigestPDF
from councils import services as council_services
from councils.models import Consultation, Submission, SubmissionAttachment, SubmissionCaseLink
from priorities import services
from priorities.models import PriorityCaseLink, PriorityStatusChange
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import CaseFactory, make_case
from tests.priorities.factories import SubmissionFactory, UserFactory, make_priority, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db
PDF = plain_pdf()


@pytest.fixture
def council():
    return CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])


@pytest.fixture
def secretary(council):
    return council_secretary(council)


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def file_submission(secretary, council, **fields) -> Submission:
    return SubmissionFactory(
        author=secretary,
        council=council,
        title="Uttalelse om skoleveien",
        text="Ungdomsrådet mener skoleveiene må prioriteres.",
        meeting_date=timezone.localdate(),
        minutes_reference="12/26",
        **fields,
    )


def make_submission(secretary, council, planner):
    return file_submission(secretary, council)


def make_status_change(secretary, council, planner):
    (change,) = services.input_set_status(
        records=[make_priority()],
        status="decided",
        public_text="Vedtatt i bystyret.",
        actor=planner,
    )
    return change


def make_consultation(secretary, council, planner):
    case = CaseFactory(
        municipality=council.municipality, number="2026/4321", title="Trafikksikkerhetsplan"
    )
    return council_services.consultation_create(
        actor=planner,
        case=case,
        councils=[council],
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        summary="Kommunen lager en ny plan for trafikksikkerhet.",
    )


def make_attachment(secretary, council, planner):
    upload = SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf")
    return file_submission(secretary, council, attachments=[upload]).attachments.get()


def make_frozen_digest(secretary, council, planner):
    return case_services.digest_freeze(actor=planner, case=make_case(planner))


def make_frozen_digest_pdf(secretary, council, planner):
    return make_frozen_digest(secretary, council, planner).pdf


def make_area_adjustment(secretary, council, planner):
    case = make_case(planner)
    case_services.case_area_adjust(
        actor=planner,
        case=case,
        area=Area.objects.filter(type__slug="grend").first(),
        action="add",
        reason="Veien går gjennom grenda.",
    )
    return case.area_adjustments.get()


def make_case_link(secretary, council, planner):
    case = make_case(planner)
    case_services.case_link_input(
        actor=planner, case=case, records=[make_priority()], public_text="Tatt med i saken."
    )
    return PriorityCaseLink.objects.get(case_number=case.number)


@dataclass
class Record:
    """A kind of record that must stay as filed, and a field an attacker would rewrite."""

    model: type
    make: Callable
    field: str
    forged: object

    def __str__(self) -> str:
        return self.model.__name__


RECORDS = [
    Record(Submission, make_submission, "text", "Ungdomsrådet har aldri ment dette."),
    Record(PriorityStatusChange, make_status_change, "public_text", "Et annet svar i ettertid."),
    Record(Consultation, make_consultation, "summary", "En helt annen sak enn den som ble sendt."),
    Record(SubmissionAttachment, make_attachment, "sha256", "0" * 64),
    Record(FrozenDigest, make_frozen_digest, "html", "<p>Et annet sammendrag.</p>"),
    Record(FrozenDigestPDF, make_frozen_digest_pdf, "sha256", "0" * 64),
    Record(CaseAreaAdjustment, make_area_adjustment, "reason", "En annen grunn i ettertid."),
    Record(
        PriorityCaseLink,
        make_case_link,
        "linked_at",
        datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    ),
]


def refused(attempt) -> None:
    """The database refuses the attempt (and the test's transaction goes on). Deleting a
    frozen digest through the ORM is refused one step earlier, by Django's PROTECT on its
    PDF's foreign key (ProtectedError is a DatabaseError); raw SQL still meets the trigger."""
    refusal = r"pgtrigger: Cannot|referenced through protected foreign keys"
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        attempt()


def rewrite_attempts(record: Record, row):
    model, field, forged = record.model, record.field, record.forged
    column = model._meta.get_field(field).column
    table = model._meta.db_table

    def by_save():
        copy = model._base_manager.get(pk=row.pk)
        setattr(copy, field, forged)
        copy.save()

    def by_update():
        model._base_manager.filter(pk=row.pk).update(**{field: forged})

    def by_bulk_update():
        copy = model._base_manager.get(pk=row.pk)
        setattr(copy, field, forged)
        model._base_manager.bulk_update([copy], [field])

    def by_bulk_create_upsert():
        copy = model._base_manager.get(pk=row.pk)
        setattr(copy, field, forged)
        model._base_manager.bulk_create(
            [copy], update_conflicts=True, unique_fields=["id"], update_fields=[field]
        )

    def by_raw_sql():
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [forged, row.pk])

    return [by_save, by_update, by_bulk_update, by_bulk_create_upsert, by_raw_sql]


def delete_attempts(record: Record, row):
    model, table = record.model, record.model._meta.db_table

    def by_instance():
        model._base_manager.get(pk=row.pk).delete()

    def by_queryset():
        model._base_manager.filter(pk=row.pk).delete()

    def by_raw_sql():
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{table}" WHERE id = %s', [row.pk])

    return [by_instance, by_queryset, by_raw_sql]


@pytest.mark.parametrize("record", RECORDS, ids=str)
def test_a_record_cannot_be_rewritten_by_any_route(record, secretary, council, planner):
    """save(), update(), bulk_update(), an upserting bulk_create() and raw SQL are refused."""
    row = record.make(secretary, council, planner)
    before = getattr(row, record.field)

    for attempt in rewrite_attempts(record, row):
        refused(attempt)

    row.refresh_from_db()
    assert getattr(row, record.field) == before


@pytest.mark.parametrize("record", RECORDS, ids=str)
def test_a_record_cannot_be_deleted_by_any_route(record, secretary, council, planner):
    row = record.make(secretary, council, planner)

    for attempt in delete_attempts(record, row):
        refused(attempt)

    assert record.model._base_manager.filter(pk=row.pk).exists()


@pytest.mark.parametrize("record", RECORDS, ids=str)
def test_a_records_history_is_append_only(record, secretary, council, planner):
    """The history row written when the record was made cannot be changed or deleted either."""
    row = record.make(secretary, council, planner)
    event_model = record.model.pgh_event_model
    event = event_model.objects.get(pgh_obj_id=row.pk, pgh_label="insert")
    table = event_model._meta.db_table

    refused(lambda: event_model.objects.filter(pk=event.pk).update(pgh_label="forged"))
    refused(lambda: event_model.objects.filter(pk=event.pk).delete())
    with connection.cursor() as cursor:
        refused(lambda: cursor.execute(f'DELETE FROM "{table}" WHERE pgh_id = %s', [event.pk]))

    assert event_model.objects.get(pk=event.pk).pgh_label == "insert"


def test_a_submission_changes_only_through_the_status_loop_and_a_withdrawal(
    secretary, council, planner
):
    """Status and withdrawal change (and are recorded); a withdrawal is final."""
    submission = file_submission(secretary, council)
    events = Submission.pgh_event_model.objects.filter(pgh_obj_id=submission.pk)
    assert events.count() == 1

    services.input_set_status(
        records=[submission],
        status="under_consideration",
        public_text="Vi ser på det.",
        actor=planner,
    )
    council_services.submission_withdraw(
        secretary=secretary, submission=submission, reason="Feil møte."
    )

    submission.refresh_from_db()
    assert submission.status == "under_consideration" and submission.withdrawn_at
    assert list(events.order_by("pgh_id").values_list("pgh_label", "status")) == [
        ("insert", "received"),
        ("update", "under_consideration"),
        ("update", "under_consideration"),
    ]
    same = Submission.objects.filter(pk=submission.pk)
    refused(lambda: same.update(withdrawn_reason="Noe annet."))
    refused(lambda: same.update(withdrawn_at=None, withdrawn_reason=""))
    refused(lambda: same.update(author=UserFactory()))
    assert events.count() == 3


def test_a_submission_is_linked_to_a_case_once_and_the_link_stays(secretary, council, planner):
    """Including a submission in a case (the planner's link) links it by the case's number;
    the link cannot be moved to another case or removed afterwards."""
    submission = file_submission(secretary, council)
    case = CaseFactory(number="2026/31", title="Skolevei")

    case_services.case_link_input(
        actor=planner, case=case, records=[submission], public_text="Tas med i saken."
    )

    submission.refresh_from_db()
    link = submission.case_links.get()
    assert link.case_number == case.number and submission.status == "in_case"
    same = SubmissionCaseLink.objects.filter(pk=link.pk)
    refused(lambda: same.update(case_number="2026/32"))
    refused(lambda: same.delete())
    assert same.get().case_number == case.number


def test_a_consultation_deadline_can_be_extended_never_shortened(secretary, council, planner):
    consultation = make_consultation(secretary, council, planner)
    deadline = consultation.deadline

    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=deadline + datetime.timedelta(days=3)
    )
    refused(
        lambda: Consultation.objects.filter(pk=consultation.pk).update(
            deadline=deadline - datetime.timedelta(days=1)
        )
    )

    consultation.refresh_from_db()
    assert consultation.deadline == deadline + datetime.timedelta(days=3)
    assert Consultation.pgh_event_model.objects.filter(pgh_obj_id=consultation.pk).count() == 2


def test_deleting_a_staff_account_keeps_its_answers_on_the_record(secretary, council, planner):
    """The actor becomes NULL (on_delete=SET_NULL); the answer and the role stay; the actor
    cannot be replaced by someone else."""
    change = make_status_change(secretary, council, planner)
    refused(lambda: PriorityStatusChange.objects.filter(pk=change.pk).update(actor=UserFactory()))

    planner.delete()

    change.refresh_from_db()
    assert change.actor_id is None
    assert change.actor_role == Role.PLANNER and change.public_text == "Vedtatt i bystyret."


def context_of(event):
    return event.pgh_context.metadata if event.pgh_context else {}


def test_a_change_through_the_web_records_the_user_url_and_method(client, secretary, council):
    submission = file_submission(secretary, council)
    client.force_login(secretary)
    url = f"/submissions/{submission.pk}/withdraw/"

    response = client.post(url, {"reason": "Vedtaket ble opphevet."})

    assert response.status_code == 302
    event = Submission.pgh_event_model.objects.filter(pgh_obj_id=submission.pk).latest("pgh_id")
    assert event.withdrawn_reason == "Vedtaket ble opphevet."
    assert context_of(event) == {"user": secretary.pk, "url": url, "method": "POST"}


def test_a_change_through_the_api_with_a_token_records_the_user_url_and_method(client, planner):
    """DRF authenticates the token inside the view; the history still names the planner."""
    priority = make_priority()
    token = Token.objects.create(user=planner)
    url = f"/api/v1/priorities/{priority.pk}/status/"

    response = client.post(
        url,
        {"status": "decided", "public_text": "Vedtatt i bystyret."},
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )

    assert response.status_code == 201, response.content
    change = PriorityStatusChange.objects.get(record=priority)
    event = PriorityStatusChange.pgh_event_model.objects.get(pgh_obj_id=change.pk)
    assert context_of(event) == {"user": planner.pk, "url": url, "method": "POST"}
    assert change.actor == planner
