"""Cases made the way planners make them (through the services)."""

import datetime
import json

import factory
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from accounts.models import Role
from areas.models import AreaType, Municipality
from cases import services
from cases.models import Case, CaseLayer
from councils.models import Consultation
from tests.areas.factories import CouncilFactory, MunicipalityFactory
from tests.priorities.factories import staff

# A small plan boundary around Bodø centre (lon/lat), inside the municipality.
CENTRE_POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [[14.37, 67.275], [14.40, 67.275], [14.40, 67.29], [14.37, 67.29], [14.37, 67.275]]
    ],
}


def make_case(
    planner=None, *, number="2026/4321", geometry=CENTRE_POLYGON, types=("skolekrets",), **fields
):
    planner = planner or staff(Role.PLANNER)
    return services.case_create(
        actor=planner,
        municipality=Municipality.objects.get(code="1804"),
        number=number,
        title=fields.pop("title", "Ny gang- og sykkelvei i sentrum"),
        body=fields.pop("body", "kommunestyre"),
        meeting_date=fields.pop("meeting_date", timezone.localdate() + datetime.timedelta(days=20)),
        geometry=GEOSGeometry(json.dumps(geometry), srid=4326) if geometry else None,
        area_types=list(AreaType.objects.filter(slug__in=types)),
        **fields,
    )


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in Bodø as the archive knows it, without geometry (so no affected areas);
    ``make_case`` makes one the planner's way, through the service."""

    class Meta:
        model = Case

    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
    number = factory.Sequence(lambda n: f"2026/{1000 + n}")
    title = "Trafikksikkerhetsplan 2027–2030"
    body = "kommunestyre"
    meeting_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A consultation of councils (``councils=[...]``; one new council by default) on a
    case, with a deadline two weeks ahead. Inserted as is: the record's triggers refuse
    changes, not new rows."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    summary = "Hva mener rådet?"
    created_by = factory.LazyFunction(lambda: staff(Role.PLANNER))

    @factory.post_generation
    def councils(obj, create, extracted, **kwargs):
        if create:
            obj.councils.set(extracted if extracted is not None else [CouncilFactory()])


class CaseLayerFactory(factory.django.DjangoModelFactory):
    """A named map layer of a case, without features."""

    class Meta:
        model = CaseLayer

    case = factory.SubFactory(CaseFactory)
    name = factory.Sequence(lambda n: f"Foreslått trasé {n}")
    created_by = factory.LazyFunction(lambda: staff(Role.PLANNER))
