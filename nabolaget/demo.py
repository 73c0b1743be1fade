"""The demo (``make run``): Bodø's real boundary and illustrative school districts and hamlets.

The demo areas are generated reproducibly: the Voronoi cells of fixed seed points
(``fixtures/demo/bodo-seeds.json``), clipped to Bodø's boundary in PostGIS, written
to a GeoJSON file and imported through the same importer core as any other file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Role, RoleGrant, User
from areas.addresses import import_addresses
from areas.geo import lon_lat_point
from areas.importers import ImportOptions, ImportReport, import_areas
from areas.models import DEMO_SOURCE, Area, AreaType, Municipality
from budgets.models import Budget, Stage
from budgets.services import budget_create, version_import
from cases.models import Case
from cases.services import case_create
from councils.models import Council, CouncilKind
from priorities.models import Category, Priority
from priorities.services import priority_create

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
BOUNDARY = FIXTURES / "demo" / "bodo-1804.geojson"
SEEDS = FIXTURES / "demo" / "bodo-seeds.json"
# Illustrative addresses: real street names, approximate coordinates.
ADDRESSES = FIXTURES / "demo" / "bodo-adresser.csv"
MUNICIPALITY = "1804"
ILLUSTRATIVE = "Illustrative demo areas generated from seed points; not real boundaries."

AREA_TYPES = {
    "kommune": ("Kommune", "Kommune", "Municipality", ""),
    "skolekrets": ("Skolekrets", "Skulekrins", "School district", ILLUSTRATIVE),
    "grend": ("Grend", "Grend", "Hamlet", ILLUSTRATIVE),
}


@transaction.atomic
def load_demo() -> list[ImportReport]:
    """Load (or refresh) the demo municipality. Running it again changes nothing."""
    for slug, (nb, nn, en, description) in AREA_TYPES.items():
        AreaType.objects.update_or_create(
            slug=slug,
            defaults={"name_nb": nb, "name_nn": nn, "name_en": en, "description": description},
        )
    reports = [
        import_areas(
            ImportOptions(
                path=BOUNDARY,
                type_slug="kommune",
                code_field="kommunenummer",
                name_field="kommunenavn",
                source_label="Kartverket, kommuner 2024 (CC BY 4.0)",
            )
        )
    ]
    boundary = Area.objects.current().get(type__slug="kommune", code=MUNICIPALITY)
    seeds = json.loads(SEEDS.read_text(encoding="utf-8"))
    for slug in ("skolekrets", "grend"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"bodo-{slug}.geojson"
            path.write_text(json.dumps(voronoi_areas(boundary, seeds[slug])), encoding="utf-8")
            reports.append(
                import_areas(
                    ImportOptions(
                        path=path,
                        type_slug=slug,
                        code_field="code",
                        name_field="name",
                        municipality=MUNICIPALITY,
                        source_label=DEMO_SOURCE,
                    )
                )
            )
    import_addresses(ADDRESSES)
    return reports


SAMPLE_PRIORITIES = FIXTURES / "demo" / "bodo-priorities.json"


@transaction.atomic
def load_demo_priorities() -> int:
    """Illustrative sample priorities (no author), once: returns how many were added."""
    if Priority.all_objects.filter(municipality__code=MUNICIPALITY).exists():
        return 0
    samples = json.loads(SAMPLE_PRIORITIES.read_text(encoding="utf-8"))["priorities"]
    for sample in samples:
        priority_create(
            author=None,
            point=lon_lat_point(sample["lon"], sample["lat"]),
            category=Category.objects.get(slug=sample["category"], municipality=None),
            title=sample["title"],
            text=sample["text"],
        )
    return len(samples)


def voronoi_areas(boundary: Area, seeds: list[dict]) -> dict:
    """A FeatureCollection of the seeds' Voronoi cells clipped to the boundary (WGS 84)."""
    # Raw SQL: ST_VoronoiPolygons is a set-level function the ORM does not offer.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH seeds AS (
                SELECT s.code, s.name, ST_Transform(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326),
                       ST_SRID(a.geom)) AS point, a.geom AS boundary
                FROM jsonb_to_recordset(%s::jsonb) AS s(code text, name text, lon float, lat float),
                     areas_area a
                WHERE a.id = %s
            ), cells AS (
                SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(point), 0,
                        ST_Expand(ST_Envelope(max(boundary)), 50000)))).geom AS cell
                FROM seeds
            )
            SELECT s.code, s.name, ST_AsGeoJSON(ST_Transform(ST_Multi(ST_CollectionExtract(
                   ST_Intersection(c.cell, s.boundary), 3)), 4326), 7)
            FROM seeds s JOIN cells c ON ST_Contains(c.cell, s.point)
            ORDER BY s.code
            """,
            [json.dumps(seeds), boundary.pk],
        )
        rows = cursor.fetchall()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": json.loads(g),
            }
            for code, name, g in rows
        ],
    }


@transaction.atomic
def load_demo_councils() -> None:
    """Illustrative councils (their year of activity: ``nabolaget.demo_activity``)."""
    bodo = Municipality.objects.get(code=MUNICIPALITY)
    whole = Area.objects.current().get(type__slug="kommune", code=MUNICIPALITY)
    councils = [
        ("ungdomsrad", "Ungdomsrådet i Bodø (demo)", True, "", [whole]),
        (
            "kommunedelsutvalg",
            "Skjerstad kommunedelsutvalg (demo)",
            True,
            "",
            list(Area.objects.current().filter(code="1804-SK07")),
        ),
        (
            "naermiljorad",
            "Kjerringøy nærmiljøråd (demo)",
            False,
            "998877660",
            list(Area.objects.current().filter(code="1804-G07")),
        ),
    ]
    made = []
    for kind, name, formal, orgnr, areas in councils:
        council, _ = Council.objects.get_or_create(
            municipality=bodo,
            name=name,
            defaults={
                "kind": CouncilKind.objects.get(slug=kind),
                "is_formal": formal,
                "organisation_number": orgnr,
            },
        )
        council.areas.set(areas)
        made.append(council)


def demo_account(username: str) -> User:
    """A demo account: it cannot log in, and is sent no e-mail (@demo.invalid, turned off)."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@demo.invalid", "notify_by_email": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_staff() -> User:
    """The planner who answers the demo's input and sends its consultation."""
    return demo_account("demo-saksbehandler")


# The demo's budget: illustrative figures made by the project (scripts/make_demo_budget.py),
# NOT Bodø's budget; every page of an illustrative budget says so.
BUDGET_CASE_NUMBER = "2026/1800"
BUDGET_PROPOSAL = FIXTURES / "demo" / "bodo-budsjett-2027-forslag.csv"
BUDGET_RECOMMENDATION = FIXTURES / "demo" / "bodo-budsjett-2027-innstilling.csv"
BUDGET_FIRST_YEAR = 2027
BUDGET_POPULATION = 53_000  # about Bodø's population; only set where none is


def load_demo_budget(*, staff: User | None = None) -> Budget | None:
    """The illustrative budget case with its proposal and recommendation, once: the budget,
    or None when it was there already."""
    municipality = Municipality.objects.get(code=MUNICIPALITY)
    if Case.objects.filter(municipality=municipality, number=BUDGET_CASE_NUMBER).exists():
        return None
    staff = staff or demo_staff()
    with transaction.atomic():
        RoleGrant.objects.get_or_create(user=staff, role=Role.PLANNER, municipality=municipality)
        if municipality.population is None:
            municipality.population = BUDGET_POPULATION
            municipality.save(update_fields=["population"])
        case = case_create(
            actor=staff,
            municipality=municipality,
            number=BUDGET_CASE_NUMBER,
            title="Budsjett 2027 og økonomiplan 2027–2030 (demo)",
            summary="Bystyret vedtar budsjettet for 2027 og økonomiplanen for 2027–2030 i "
            "desember. Tallene i demoen er oppdiktet.",
            body="kommunestyre",
        )
        budget = budget_create(
            actor=staff,
            case=case,
            title="Budsjett 2027 og økonomiplan 2027–2030 (illustrasjon)",
            first_year=BUDGET_FIRST_YEAR,
            illustrative=True,
        )
        for stage, path in (
            (Stage.PROPOSAL, BUDGET_PROPOSAL),
            (Stage.RECOMMENDATION, BUDGET_RECOMMENDATION),
        ):
            version_import(
                actor=staff,
                budget=budget,
                stage=stage,
                data=path.read_bytes(),
                source_name=path.name,
            )
    return budget
