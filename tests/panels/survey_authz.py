"""Part B of the panels in the authorization matrix (tests/security/test_authz_matrix.py):
a panel with a member, a theme with a PDF, a session and a survey being built, in each
municipality, and a request per URL."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panels import information, members
from panels.models import MemberAccess, Panel, PanelStatus, PanelTheme, Volunteer
from panels.survey import question_add, survey_of
from tests.meetings.factories import tomorrow_evening
from tests.support.pdfs import plain_pdf

FAR_POINT = (302_500, 6_702_500)  # in the matrix's neighbour municipality (EPSG:25833)


def build(world) -> SimpleNamespace:
    found = {}
    for key, planner, point in [
        ("here", world.others["planner"], Point(14.385, 67.283, srid=4326)),
        (
            "far",
            world.others["far_planner"],
            Point(*FAR_POINT, srid=25833).transform(4326, clone=True),
        ),
    ]:
        case = world.case["other_municipality" if key == "far" else "own"]
        panel = Panel.objects.create(
            case=case,
            title="Borgerpanel om havna",
            description="Hva skal havna brukes til?",
            status=PanelStatus.SELECTED,
            strata=["age_group", "gender"],
            created_by=planner,
        )
        theme = PanelTheme.objects.create(panel=panel, title="Havna i dag")
        (document,) = information.theme_documents_add(
            actor=planner,
            theme=theme,
            uploads=[SimpleUploadedFile("havna.pdf", plain_pdf("Havna"), "application/pdf")],
        )
        Volunteer.objects.create(
            panel=panel,
            name="Kari Medlem",
            email=f"kari-{key}@example.no",
            birth_year=1980,
            strata={"age_group": "30-49", "gender": "f"},
            status="selected",
        )
        members.member_links_send(actor=planner, panel=panel, language="nb")
        starts = tomorrow_evening(days=5)
        point.srid = 4326
        session = information.session_add(
            actor=planner,
            panel=panel,
            title="Første samling",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            digital=False,
            point=point,
            place_name="Rådhuset",
        )
        survey = survey_of(panel)
        question_add(actor=planner, survey=survey, kind="text", text="Noe annet?")
        found[key] = SimpleNamespace(
            panel=panel,
            theme=theme,
            document=document,
            access=MemberAccess.objects.get(volunteer__panel=panel),
            session=session,
        )
    return SimpleNamespace(**found)


def request(world, name: str, relation: str) -> tuple[str, dict]:
    """(path, body) for a row of the matrix about part B's panel pages."""
    objects = (
        world.panels_survey.far if relation == "other_municipality" else world.panels_survey.here
    )
    panel = objects.panel
    starts = tomorrow_evening(days=6)
    routes = {
        "panels:member_home": (reverse("panels:member_home", args=[panel.pk]), {}),
        "panels:survey_answer": (reverse("panels:survey_answer", args=[panel.pk]), {}),
        "panels:survey_results": (reverse("panels:survey_results", args=[panel.pk]), {}),
        "panels:survey_edit": (
            reverse("panels:survey_edit", args=[panel.pk]),
            {"kind": "scale", "text": "Hvor fornøyd er du?", "scale_min": 1, "scale_max": 5},
        ),
        "panels:survey_state": (reverse("panels:survey_state", args=[panel.pk, "open"]), {}),
        "panels:information": (reverse("panels:information", args=[panel.pk]), {}),
        "panels:information_edit": (
            reverse("panels:information_edit", args=[objects.theme.pk]),
            {"information": "Havna er i endring."},
        ),
        "panels:document": (reverse("panels:document", args=[objects.document.pk]), {}),
        "panels:members": (reverse("panels:members", args=[panel.pk]), {"language": "nb"}),
        "panels:member_link_change": (
            reverse("panels:member_link_change", args=[objects.access.pk, "revoke"]),
            {},
        ),
        "panels:sessions": (
            reverse("panels:sessions", args=[panel.pk]),
            {
                "title": "Andre samling",
                "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                "digital": "on",
                "link": "https://meet.example.no/havna",
            },
        ),
        "panels:session_summary": (
            reverse("panels:session_summary", args=[objects.session.pk]),
            {"summary": "Panelet drøftet havna."},
        ),
    }
    return routes[name]
