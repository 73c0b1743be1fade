"""The panels' part of the authorization matrix (tests/security/test_authz_matrix.py): a
panel inviting in Bodø (its register uploaded, its invitations drawn) and one being set up
in the neighbour municipality, each by its own planner; a request per URL."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from areas.models import AreaType
from panels import services
from panels.models import Invitation
from tests.panels.factories import make_panel, register_csv, register_rows


def build(world) -> SimpleNamespace:
    here = make_panel(
        world.others["planner"],
        case=world.case["own"],
        strata=["gender"],
        area_type=None,
        target_size=2,
        invitations=4,
    )
    services.register_upload(
        user=world.others["planner"], panel=here, data=register_csv(register_rows(12))
    )
    services.invitations_draw(user=world.others["planner"], panel=here, seed="1")
    far = make_panel(
        world.others["far_planner"],
        case=world.case["other_municipality"],
        area_type=AreaType.objects.get(slug="skolekrets"),
    )
    codes = list(Invitation.objects.filter(panel=here).values_list("code", flat=True))
    return SimpleNamespace(here=here, far=far, codes=codes)


def request(world, name: str, relation: str) -> tuple[str, dict]:
    """(path, body) for a row of the matrix about panels."""
    panel = world.panels.far if relation == "other_municipality" else world.panels.here
    args = [panel.pk]
    routes = {
        "panels:new": (
            reverse("panels:new", args=[panel.case_id]),
            {
                "title": "Borgerpanel om havna",
                "description": "Hva skal havna brukes til?",
                "themes": "Havna\nTrafikk",
                "target_size": "20",
                "invitations": "400",
                "standard_strata": ["age_group", "gender"],
                "minimum_age": "16",
                "quota_tolerance": "10",
                "retention_days": "0",
            },
        ),
        "panels:register_upload": (
            reverse("panels:register_upload", args=args),
            {"file": SimpleUploadedFile("register.csv", b"id;birth_year;gender;address\r\n")},
        ),
        "panels:invitations_draw": (reverse("panels:invitations_draw", args=args), {"seed": "42"}),
        "panels:volunteer_start": (reverse("panels:volunteer_start"), {"code": "AAAA-BBBB-CCCC"}),
        "panels:volunteer": (
            reverse("panels:volunteer", args=[world.panels.codes[0]]),
            {
                "name": "Kari Nordmann",
                "email": "kari@example.no",
                "birth_year": "1980",
                "gender": "f",
                "consent": "on",
            },
        ),
    }
    if name in routes:
        return routes[name]
    return reverse(name, args=args), {}
