"""Budget rounds: a planner opens one (announced), residents and associations give input in
the open phase only (checked as they would get it wrong), others support it once, the
administration answers one or many at once through the feedback loop, and the budget
case's digest shows it per sector, live and frozen."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InternalError, ProgrammingError, connection, transaction
from django.utils import timezone, translation
from procrastinate.contrib.django.models import ProcrastinateJob
from pypdf import PdfReader

from accounts.models import Role
from budgets import rounds
from budgets.models import (
    BudgetInput,
    BudgetInputCaseLink,
    BudgetInputStatusChange,
    BudgetInputSupport,
    BudgetRound,
)
from cases import digests
from cases import services as case_services
from follows.models import Announcement
from tests.budgets.round_factories import (
    BAD_ORGNR,
    give,
    give_as_association,
    line,
    make_budget,
    make_round,
    sector,
)
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


@pytest.fixture
def budget_round(planner):
    return make_round(planner)


def written():
    return (
        BudgetRound.objects.count(),
        BudgetInput.all_objects.count(),
        BudgetInputCaseLink.objects.count(),
        BudgetInputSupport.objects.count(),
        ProcrastinateJob.objects.filter(task_name__endswith="send_receipt").count(),
    )


def test_a_planner_opens_a_round_and_the_municipality_s_followers_are_told(planner):
    budget_round = make_round(planner)

    assert budget_round.phase == "open"
    announcement = Announcement.objects.get(key=f"budget_round:{budget_round.pk}:opened")
    assert announcement.municipality.code == "1804"
    assert announcement.url == budget_round.get_absolute_url()
    assert list(announcement.areas.all()) == []  # the whole municipality


def test_only_a_planner_of_the_municipality_opens_a_round(planner):
    budget = make_budget(planner)
    before = written()

    with pytest.raises(PermissionDenied):
        make_round(UserFactory(), budget=budget)
    with pytest.raises(PermissionDenied):
        make_round(staff(Role.PLANNER, code="1833"), budget=budget)

    assert written() == before


def test_a_round_that_closes_before_it_opens_is_refused_and_nothing_is_written(planner):
    budget = make_budget(planner)
    today = timezone.localdate()

    with pytest.raises(ValidationError) as refused:
        make_round(planner, budget=budget, closes_on=today - datetime.timedelta(days=1))

    assert refused.value.message_dict["closes_on"] == [
        "The input must close on or after the day it opens."
    ]
    assert not BudgetRound.objects.exists()
    assert not Announcement.objects.filter(key__startswith="budget_round:").exists()


def test_dates_after_the_proposal_are_warned_about():
    today = timezone.localdate()

    warnings = rounds.round_warnings(
        opens_on=today, closes_on=today + datetime.timedelta(days=10), proposal_on=today
    )

    assert len(warnings) == 1 and "administration's proposal" in warnings[0]
    assert not rounds.round_warnings(
        opens_on=today, closes_on=today, proposal_on=today + datetime.timedelta(days=1)
    )


def test_a_resident_gives_input_linked_to_the_budget_case_with_a_receipt(budget_round):
    resident = UserFactory()

    record = give(resident, budget_round)

    assert record.reference.startswith("BI-")
    assert record.title == "more money: Grunnskole"
    assert record.municipality.code == "1804"
    assert list(record.case_links.values_list("case_number", flat=True)) == ["2026/7000"]
    assert ProcrastinateJob.objects.filter(
        task_name__endswith="send_receipt", args={"kind": "budget_input", "record_id": record.pk}
    ).exists()
    assert record.public_name == ""  # a resident's name is not shown


def test_an_association_files_as_an_organisation_with_its_members(budget_round):
    record = give_as_association(UserFactory(), budget_round, organisation_number="923 609 016")

    assert record.organisation_number == "923609016"
    assert record.members == 4200
    assert record.title == "Ny kunstgressbane på Hunstad"
    assert record.amount == Decimal("1234.50")
    assert record.public_name == "Bodø idrettsråd"


@pytest.mark.parametrize(
    ("opens", "closes", "phase"),
    [(3, 10, "upcoming"), (-10, -1, "considering")],
)
def test_input_outside_the_open_phase_is_refused_and_nothing_is_written(
    planner, opens, closes, phase
):
    today = timezone.localdate()
    budget_round = make_round(
        planner,
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
        proposal_on=None,
    )
    before = written()

    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), budget_round)

    assert budget_round.phase == phase
    assert refused.value.messages == [
        f"This round is not open for input: it is open from "
        f"{budget_round.opens_on.isoformat()} to {budget_round.closes_on.isoformat()}."
    ]
    assert written() == before


def test_a_line_or_sector_from_another_budget_is_refused(planner, budget_round):
    other = make_round(
        planner, budget=make_budget(planner, number="2026/7001", title="Et annet budsjett")
    )
    before = written()

    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), budget_round, line=line(other))
    assert refused.value.message_dict["line"] == ["This line is not in this budget."]

    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), budget_round, sector=sector(other), line=None)
    assert refused.value.message_dict["sector"] == ["This sector is not in this budget."]

    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), budget_round, sector=sector(budget_round, "Teknisk"))
    assert refused.value.message_dict["line"] == ["This line is not in the sector you chose."]
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"organisation_number": BAD_ORGNR}, "organisation_number", "check digit is wrong"),
        ({"organisation_number": "12345"}, "organisation_number", "nine digits"),
        ({"organisation_number": ""}, "organisation_number", "organisation number"),
        ({"organisation_name": " "}, "organisation_name", "association's name"),
        ({"members": 0}, "members", "at least 1 and at most 5 000 000"),
        ({"members": 10**9}, "members", "at least 1 and at most 5 000 000"),
        ({"members": None}, "members", "how many members"),
        ({"measure_title": ""}, "measure_title", "title"),
        ({"amount": Decimal("-5")}, "amount", "above 0"),
        ({"reason": "For kort"}, "reason", "at least 10"),
        ({"reason": "x" * 4001}, "reason", "at most 4000"),
    ],
)
def test_bad_association_input_is_refused_on_its_field(budget_round, fields, field, message):
    before = written()

    with pytest.raises(ValidationError) as refused:
        give_as_association(UserFactory(), budget_round, **fields)

    assert message in " ".join(refused.value.message_dict[field])
    assert written() == before


def test_a_comment_has_no_amount(budget_round):
    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), budget_round, proposal="comment", amount=Decimal("10"))

    assert "amount" in refused.value.message_dict
    assert not BudgetInput.all_objects.exists()


def test_others_support_input_once_and_not_their_own(budget_round):
    author, neighbour = UserFactory(), UserFactory()
    record = give(author, budget_round)

    rounds.input_support(record=record, user=neighbour)
    with pytest.raises(ValidationError, match="already support"):
        rounds.input_support(record=record, user=neighbour)
    with pytest.raises(ValidationError, match="yourself"):
        rounds.input_support(record=record, user=author)

    record.refresh_from_db()
    assert record.support_count == 1
    assert BudgetInputSupport.objects.count() == 1
    assert list(record.followers()) == [neighbour]


def test_the_administration_answers_many_at_once_through_the_loop(planner, budget_round):
    first = give(UserFactory(), budget_round)
    second = give_as_association(UserFactory(), budget_round)
    third = give(UserFactory(), budget_round, proposal="less", amount=None)

    rounds.input_answer(
        actor=planner,
        records=[first, second],
        outcome="partly",
        public_text="Forslaget har 1,2 millioner mer til skolene.",
    )
    rounds.input_answer(
        actor=planner, records=[third], outcome="not_included", public_text="Ikke med."
    )

    states = {
        record.reference: (record.status, record.outcome, record.first_answered_at is not None)
        for record in BudgetInput.all_objects.all()
    }
    assert states == {
        first.reference: ("in_case", "partly", True),
        second.reference: ("in_case", "partly", True),
        third.reference: ("not_pursued", "not_included", True),
    }
    assert BudgetInputStatusChange.objects.filter(case_number="2026/7000").count() == 2
    assert (
        ProcrastinateJob.objects.filter(
            task_name__endswith="notify_status_changes", args__kind="budget_input"
        ).count()
        == 2
    )


def test_only_planners_answer_and_a_refused_answer_changes_nothing(budget_round):
    record = give(UserFactory(), budget_round)

    with pytest.raises(PermissionDenied):
        rounds.input_answer(
            actor=UserFactory(), records=[record], outcome="included", public_text="Tatt med."
        )
    with pytest.raises(ValidationError):
        rounds.input_answer(
            actor=staff(Role.PLANNER), records=[record], outcome="maybe", public_text="Kanskje."
        )

    record.refresh_from_db()
    assert (record.status, record.outcome) == ("received", "")
    assert not BudgetInputStatusChange.objects.exists()


def test_a_round_is_marked_answered_once_its_input_has_closed(planner, budget_round):
    with pytest.raises(ValidationError, match="once its input has closed"):
        rounds.round_mark_answered(actor=planner, budget_round=budget_round)

    today = timezone.localdate()
    closed = make_round(
        planner,
        budget=budget_round.budget,
        opens_on=today - datetime.timedelta(days=9),
        closes_on=today - datetime.timedelta(days=1),
        proposal_on=None,
    )
    rounds.round_mark_answered(actor=planner, budget_round=closed)

    closed.refresh_from_db()
    assert closed.phase == "answered"
    with pytest.raises(ValidationError, match="already"):
        rounds.round_mark_answered(actor=planner, budget_round=closed)


def test_input_is_on_the_record(budget_round):
    record = give(UserFactory(), budget_round)

    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        BudgetInput.all_objects.filter(pk=record.pk).update(reason="Noe helt annet enn før.")
    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM budgets_budgetinput WHERE id = %s", [record.pk])
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        BudgetRound.objects.filter(pk=budget_round.pk).update(title="Endret tittel")


def test_hidden_input_leaves_the_public_list_and_the_digest(planner, budget_round):
    record = give(UserFactory(), budget_round)
    moderator = staff(Role.MODERATOR)

    with pytest.raises(ValidationError):
        rounds.input_moderate(moderator=moderator, record=record, hide=True, reason="")
    rounds.input_moderate(moderator=moderator, record=record, hide=True, reason="Personangrep.")

    assert not BudgetInput.public_objects.exists()
    sections = digests.case_digest(budget_round.budget.case)["sections"]
    (section,) = [s["data"] for s in sections if s["key"] == "budget_rounds"]
    assert section["rounds"][0]["sectors"] == []


def test_the_budget_case_digest_shows_input_per_sector_live_and_frozen(planner, budget_round):
    resident = give(UserFactory(), budget_round)
    association = give_as_association(UserFactory(), budget_round)
    roads = give(
        UserFactory(),
        budget_round,
        sector=sector(budget_round, "Teknisk"),
        line=line(budget_round, "Gatelys"),
        proposal="same",
        amount=None,
    )
    rounds.input_support(record=association, user=UserFactory())
    rounds.input_support(record=association, user=UserFactory())
    rounds.input_answer(
        actor=planner,
        records=[association],
        outcome="included",
        public_text="Banen er med i forslaget for 2027.",
    )

    live = digests.case_digest(budget_round.budget.case)
    section = next(s for s in live["sections"] if s["key"] == "budget_rounds")["data"]
    (round_data,) = section["rounds"]
    assert [s["name"] for s in round_data["sectors"]] == ["Oppvekst og kultur", "Teknisk"]
    schools = round_data["sectors"][0]
    assert [item["reference"] for item in schools["inputs"]] == [
        association.reference,  # the most supported first
        resident.reference,
    ]
    top = schools["inputs"][0]
    assert top["support"] == 2 and top["outcome"] == "included"
    assert top["answer"] == "Banen er med i forslaget for 2027."
    assert top["amount"] == "1234.50"
    assert top["source"] == "Bodø idrettsråd (association, 4200 members)"
    assert round_data["sectors"][1]["inputs"][0]["reference"] == roads.reference
    assert (round_data["inputs"], round_data["answered"]) == (3, 1)
    linked = next(s for s in live["inputs"] if s["kind"] == "budget_input")["linked"]
    assert {row["reference"] for row in linked} == {
        resident.reference,
        association.reference,
        roads.reference,
    }

    frozen = case_services.digest_freeze(actor=planner, case=budget_round.budget.case)

    frozen_section = next(s for s in frozen.data["sections"] if s["key"] == "budget_rounds")
    assert frozen_section["data"] == section
    assert "Banen er med i forslaget for 2027." in frozen.html
    with frozen.pdf.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Ny kunstgressbane" in text and association.reference in text
    assert "Included in the proposal" in text
