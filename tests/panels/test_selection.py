"""The two draws: the invitation lottery (stratified, one per household, reproducible from
the published seed) and the final selection among volunteers (sortition-algorithms'
maximin, quotas from the register's shares); codes; the register's deletion."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Role
from panels import services
from panels.models import (
    Invitation,
    PanelStatus,
    RegisterDeletion,
    RegisterPerson,
    Volunteer,
    VolunteerStatus,
)
from panels.retention import registers_delete_due
from panels.selection import (
    Candidate,
    QuotaProblem,
    allocate,
    code_check,
    code_display,
    draw_invitations,
    new_code,
    quotas,
)
from tests.conftest import run_jobs
from tests.panels.factories import make_panel, register_csv, register_rows, volunteer_all
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The reports' and refusals' texts are asserted in the source language here (the
    pages' tests read them in nb and nn)."""
    with translation.override("en"):
        yield


def test_codes_are_signed_and_forgive_how_people_type_them():
    code = new_code()
    assert len(code) == 12 and code_check(code) == code
    typed = code_display(code).lower().replace("0", "o")
    assert code_check(typed) == code
    forged = code[:11] + ("0" if code[11] != "0" else "1")
    assert code_check(forged) is None
    assert code_check("ABCD") is None


def _candidates(n_per_cell: dict[tuple, int]):
    out, pk = [], 0
    for cell, n in n_per_cell.items():
        for _ in range(n):
            pk += 1
            out.append(Candidate(pk=pk, person_id=f"{pk:05d}", cell=cell, household=f"h{pk // 2}"))
    return out


def test_the_lottery_is_proportional_one_per_household_and_reproducible():
    people = _candidates({("a",): 600, ("b",): 300, ("c",): 100})
    drawn = draw_invitations(people, 100, "4711")
    assert len(drawn) == 100 == len(set(drawn))
    by_pk = {c.pk: c for c in people}
    assert Counter(by_pk[pk].cell[0] for pk in drawn) == {"a": 60, "b": 30, "c": 10}
    assert len({by_pk[pk].household for pk in drawn}) == 100
    assert draw_invitations(list(reversed(people)), 100, "4711") == drawn
    assert draw_invitations(people, 100, "4712") != drawn


def test_largest_remainder_allocation():
    assert allocate({("a",): 1, ("b",): 1, ("c",): 1}, 2) == {("a",): 1, ("b",): 1, ("c",): 0}


def test_quotas_from_shares_with_the_tolerance():
    (women, men) = quotas({"gender": Counter({"f": 510, "m": 490})}, 40, 10)
    assert (women.expected, women.minimum, women.maximum) == (20.4, 18, 23)
    assert (men.minimum, men.maximum) == (17, 22)


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


@pytest.fixture
def inviting(planner):
    """A panel with 600 people in its register and 60 invitations drawn with seed 2026."""
    panel = make_panel(planner, strata=["age_group", "gender"], area_type=None)
    assert services.register_upload(
        user=planner, panel=panel, data=register_csv(register_rows(600))
    ).written
    services.invitations_draw(user=planner, panel=panel, seed="2026")
    panel.refresh_from_db()
    return panel


def test_the_same_seed_and_extract_give_the_same_draw(planner, inviting):
    first = list(
        Invitation.objects.filter(panel=inviting).values_list("person__person_id", flat=True)
    )
    again = make_panel(planner, case=inviting.case, strata=["age_group", "gender"], area_type=None)
    services.register_upload(user=planner, panel=again, data=register_csv(register_rows(600)))
    services.invitations_draw(user=planner, panel=again, seed="2026")
    second = list(
        Invitation.objects.filter(panel=again).values_list("person__person_id", flat=True)
    )
    assert len(first) == 60 and first == second
    assert inviting.status == PanelStatus.INVITING and inviting.seed == "2026"
    households = RegisterPerson.objects.filter(invitation__panel=inviting).values("household")
    assert households.distinct().count() == 60


@pytest.mark.django_db(transaction=True)
def test_a_code_is_used_once(demo_live, inviting):
    (volunteer,) = volunteer_all(inviting, 1)
    code = volunteer.invitation.code
    with pytest.raises(ValidationError, match="used already"):
        services.volunteer_register(
            code=code, name="Igjen", email="igjen@example.no", birth_year=1980, gender="f"
        )
    assert Volunteer.objects.filter(panel=inviting).count() == 1
    run_jobs()
    assert [m.to for m in mail.outbox] == [["frivillig1@example.no"]]
    assert "frivillig" in mail.outbox[0].subject.lower() or inviting.title in mail.outbox[0].subject


def test_a_quota_that_cannot_be_met_is_said_before_anything_is_sent(planner, inviting):
    volunteer_all(inviting, 6)
    with pytest.raises(QuotaProblem) as caught:
        services.panel_select(user=planner, panel=inviting)
    lines = services.quota_problem_text(caught.value, {})
    assert lines and all("volunteered" in line or "fewer volunteers" in line for line in lines)
    assert not Volunteer.objects.filter(panel=inviting).exclude(status="volunteered").exists()
    inviting.refresh_from_db()
    assert inviting.selected_at is None and not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_the_panel_meets_every_quota_and_members_are_told_once(demo_live, planner, inviting):
    volunteer_all(inviting, 45)
    result = services.panel_select(user=planner, panel=inviting)
    assert len(result.selected) == 10
    assert all(quota.met for quota in result.quotas)
    members = Volunteer.objects.filter(panel=inviting, status=VolunteerStatus.SELECTED)
    assert members.count() == 10
    assert all(0 < v.selection_probability <= 1 for v in members)
    alternates = list(Volunteer.objects.of_panel(inviting).alternates())
    assert [v.alternate_rank for v in alternates] == list(range(1, 4))
    total = sum(
        Volunteer.objects.filter(panel=inviting).values_list("selection_probability", flat=True)
    )
    assert total == pytest.approx(10, abs=1e-6)
    run_jobs()
    mail.outbox.clear()
    assert services.members_tell(user=planner, panel=inviting) == 13
    services.members_tell(user=planner, panel=inviting)
    run_jobs()
    subjects = Counter(message.subject.split(":")[0] for message in mail.outbox)
    assert subjects == {
        "Du er medlem av borgerpanelet": 10,
        "Du er vararepresentant for borgerpanelet": 3,
        "Borgerpanelet er valgt ut": 32,
    }
    with pytest.raises(ValidationError):
        services.panel_select(user=planner, panel=inviting)


def test_closing_deletes_the_register_and_leaves_a_record(planner, inviting):
    volunteer_all(inviting, 3)
    services.panel_close(user=planner, panel=inviting)
    assert not RegisterPerson.objects.of_panel(inviting).exists()
    assert not Invitation.objects.filter(panel=inviting).exists()
    record = RegisterDeletion.objects.get(panel=inviting)
    assert (record.people, record.invitations, record.reason, record.deleted_by) == (
        600,
        60,
        "closed",
        planner,
    )
    assert set(Volunteer.objects.filter(panel=inviting).values_list("email", flat=True)) == {""}


def test_the_nightly_job_deletes_registers_whose_retention_has_passed(planner):
    panel = make_panel(planner, strata=["gender"], area_type=None, retention_days=30)
    services.register_upload(user=planner, panel=panel, data=register_csv(register_rows(20)))
    services.panel_close(user=planner, panel=panel)
    assert RegisterPerson.objects.of_panel(panel).count() == 20
    now = timezone.now()
    assert registers_delete_due(now=now + datetime.timedelta(days=29)) == 0
    assert registers_delete_due(now=now + datetime.timedelta(days=31)) == 1
    assert registers_delete_due(now=now + datetime.timedelta(days=32)) == 0
    assert not RegisterPerson.objects.of_panel(panel).exists()
    record = RegisterDeletion.objects.get(panel=panel)
    assert (record.people, record.reason, record.deleted_by) == (20, "retention", None)


def test_the_deletion_is_a_periodic_job():
    from procrastinate.contrib.django import app

    periodic = {task.task.name for task in app.periodic_registry.periodic_tasks.values()}
    assert "panels.tasks.delete_expired_registers" in periodic
