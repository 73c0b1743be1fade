"""Hearings made the way planners make them, and answers the way people give them (through
the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Role
from hearings import services
from tests.cases.factories import make_case
from tests.priorities.factories import staff

ANSWER_TEXT = "Vi trenger en trygg skolevei langs Rv80, med gangfelt ved skolen."


def make_hearing(planner=None, *, case=None, **fields):
    """A hearing on a case (the demo's way: ``make_case`` in Bodø centre), open from today
    for two weeks, for everyone, answers published at once."""
    planner = planner or staff(Role.PLANNER)
    case = case or make_case(planner)
    today = timezone.localdate()
    values = {
        "title": "Høring: trafikksikkerhetsplan",
        "decision": "Kommunestyret vedtar planen i møtet 12. mars.",
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=14),
    } | fields
    return services.hearing_open(actor=planner, case=case, **values)


def answer(author, hearing, **fields):
    values = {"text": ANSWER_TEXT, "signed_name": "Kari Nordmann"} | fields
    return services.answer_submit(author=author, hearing=hearing, **values)
