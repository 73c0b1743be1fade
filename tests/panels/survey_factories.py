"""Panels with selected members, made directly (part B's tests do not wait for the
selection): a panel on a case, its themes, and members with the strata they gave."""

from __future__ import annotations

import datetime
import itertools

from accounts.models import Role
from panels.models import Panel, PanelStatus, PanelTheme, Volunteer, VolunteerStatus
from panels.survey import question_add, survey_of, survey_open
from tests.cases.factories import make_case
from tests.priorities.factories import staff

AGE_GROUPS = ("16-29", "30-49", "50-66", "67+")


def make_panel(planner=None, *, number: str = "2026/5501", **fields) -> Panel:
    planner = planner or staff(Role.PLANNER)
    case = fields.pop("case", None) or make_case(planner, number=number)
    panel = Panel.objects.create(
        case=case,
        title=fields.pop("title", "Borgerpanel om sentrum"),
        description=fields.pop("description", "Hva skal sentrum bli de neste ti årene?"),
        target_size=fields.pop("target_size", 40),
        strata=fields.pop("strata", ["age_group", "gender", "area"]),
        status=fields.pop("status", PanelStatus.SELECTED),
        created_by=planner,
        **fields,
    )
    PanelTheme.objects.create(panel=panel, title="Trafikk og parkering", position=0)
    PanelTheme.objects.create(panel=panel, title="Grøntområder", position=1)
    return panel


def make_members(panel: Panel, n: int, *, strata=None, status=VolunteerStatus.SELECTED):
    """``n`` members; ``strata`` gives each one's strata (a list, or None for a spread)."""
    genders = itertools.cycle(["f", "m"])
    made = []
    for index in range(n):
        given = (
            strata[index]
            if strata is not None
            else {"age_group": AGE_GROUPS[index % 4], "gender": next(genders)}
        )
        made.append(
            Volunteer.objects.create(
                panel=panel,
                name=f"Medlem {index + 1}",
                email=f"medlem{panel.pk}-{index + 1}@example.no",
                birth_year=datetime.date.today().year - 20 - index,
                strata=given,
                status=status,
            )
        )
    return made


def make_survey(panel: Panel, planner, *, open_it: bool = True):
    """A survey with one question of each kind: single (3 options), multiple (3), a scale
    1–5 and free text."""
    survey = survey_of(panel)
    single = question_add(
        actor=planner,
        survey=survey,
        kind="single",
        text="Bør bilene ut av Storgata?",
        options=["Ja", "Nei", "Vet ikke"],
    )
    multiple = question_add(
        actor=planner,
        survey=survey,
        kind="multiple",
        text="Hva savner du i sentrum?",
        options=["Benker", "Trær", "Lekeplass"],
    )
    scale = question_add(
        actor=planner,
        survey=survey,
        kind="scale",
        text="Hvor godt ble du informert før samlingene?",
        scale_min=1,
        scale_max=5,
        scale_min_label="dårlig",
        scale_max_label="svært godt",
    )
    text = question_add(actor=planner, survey=survey, kind="text", text="Noe annet du vil si?")
    if open_it:
        survey = survey_open(actor=planner, survey=survey)
    return survey, (single, multiple, scale, text)
