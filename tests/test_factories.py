"""Every factory makes a valid object of its model (through the services where the
product goes through them)."""

import pytest

from councils.models import CouncilMembership
from priorities.models import Status, Visibility
from tests.accounts.factories import RoleGrantFactory
from tests.areas.factories import (
    CouncilFactory,
    CouncilKindFactory,
    CouncilMembershipFactory,
    council_secretary,
    municipality_area,
)
from tests.cases.factories import CaseFactory, CaseLayerFactory, ConsultationFactory
from tests.priorities.factories import (
    AnswerTemplateFactory,
    CategoryFactory,
    ExportFactory,
    PriorityFactory,
    ReportFactory,
    StatusChangeFactory,
    SubmissionFactory,
    SubmissionTemplateFactory,
    SupportFactory,
)

pytestmark = pytest.mark.django_db


def test_seeded_reference_data_is_got_not_created():
    assert CouncilKindFactory().name_nb == "Ungdomsråd"
    assert CouncilKindFactory(slug="eldrerad").name_en == "Council for the elderly"
    default = CategoryFactory()
    assert (default.municipality, default.colour) == (None, "#c0392b")


def test_councils_and_their_members():
    council = CouncilFactory(areas=[municipality_area("1804")])
    assert council.municipality.code == "1804"
    assert council.kind.slug == "ungdomsrad"
    assert list(council.areas.values_list("code", flat=True)) == ["1804"]
    secretary = council_secretary(council, email="sekretar@example.no")
    member = CouncilMembershipFactory(council=council)
    roles = dict(CouncilMembership.objects.values_list("user__email", "role"))
    assert roles == {secretary.email: "secretary", member.user.email: "member"}


def test_input_and_answers_go_through_the_services():
    priority = PriorityFactory()
    assert priority.municipality.code == "1804" and priority.areas.exists()
    SupportFactory(priority=priority)
    priority.refresh_from_db()
    assert priority.support_count == 1
    report = ReportFactory(priority=priority)
    assert report.reason and report.priority == priority
    change = StatusChangeFactory(priority=priority)
    priority.refresh_from_db()
    assert (change.previous_status, priority.status) == (Status.RECEIVED, change.status)
    assert priority.visibility == Visibility.PUBLIC

    submission = SubmissionFactory(council=CouncilFactory(areas=[municipality_area()]))
    assert submission.reference.startswith("UT-")
    assert submission.author.council_memberships.get().role == "secretary"
    assert list(submission.areas.values_list("code", flat=True)) == ["1804"]
    answer = StatusChangeFactory(submission=submission, status=Status.DECIDED)
    assert answer.record == submission and answer.status == Status.DECIDED


def test_cases_and_the_rest():
    case = CaseFactory()
    consultation = ConsultationFactory(case=case)
    assert consultation.councils.count() == 1
    assert consultation.created_by.has_role("planner", case.municipality)
    assert CaseLayerFactory(case=case).case == case
    assert RoleGrantFactory().role == "planner"
    assert ExportFactory().format == "csv"
    assert AnswerTemplateFactory().municipality.code == "1804"
    assert "Vedtak" in SubmissionTemplateFactory().as_text()
