import factory
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from areas.models import STORAGE_SRID, Area, AreaType, Municipality
from areas.services import area_subdivide
from councils.models import Council, CouncilKind, CouncilMembership


def square(x: float, y: float, size: float = 1000) -> MultiPolygon:
    """A square in the storage SRID (metres), lower-left corner at (x, y)."""
    wkt = f"POLYGON(({x} {y},{x + size} {y},{x + size} {y + size},{x} {y + size},{x} {y}))"
    return MultiPolygon(GEOSGeometry(wkt, srid=STORAGE_SRID), srid=STORAGE_SRID)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")


class AreaTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaType
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"testtype-{n}")
    name_nb = factory.LazyAttribute(lambda o: o.slug.capitalize())


class AreaFactory(factory.django.DjangoModelFactory):
    """An area with its subdivided copy, as the importer would leave it."""

    class Meta:
        model = Area
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Område {n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    type = factory.SubFactory(AreaTypeFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    geom = factory.LazyFunction(lambda: square(500_000, 7_400_000))

    @factory.post_generation
    def subdivide(obj, create, extracted, **kwargs):
        if create:
            area_subdivide(area_ids=[obj.pk])


def municipality_area(code: str = "1804") -> Area:
    """The whole-municipality area (type ``kommune``) the reference data holds."""
    return Area.objects.get(type__slug="kommune", code=code)


class CouncilKindFactory(factory.django.DjangoModelFactory):
    """A council kind; by default the seeded ``ungdomsrad`` (got, not created)."""

    class Meta:
        model = CouncilKind
        django_get_or_create = ["slug"]

    slug = "ungdomsrad"
    name_nb = factory.LazyAttribute(lambda o: o.slug.capitalize())


class CouncilFactory(factory.django.DjangoModelFactory):
    """A formal youth council in Bodø. ``areas=[...]`` sets the areas it speaks for."""

    class Meta:
        model = Council
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
    kind = factory.SubFactory(CouncilKindFactory)
    name = factory.Sequence(lambda n: f"Ungdomsrådet {n}")
    is_formal = True

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.add(*extracted)


class CouncilMembershipFactory(factory.django.DjangoModelFactory):
    """An account's membership of a council; ``secretary=True`` for one who files."""

    class Meta:
        model = CouncilMembership

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory("tests.priorities.factories.UserFactory")
    role = CouncilMembership.Role.MEMBER

    class Params:
        secretary = factory.Trait(role=CouncilMembership.Role.SECRETARY)


def council_secretary(council, **user_fields):
    """A new account (``user_fields`` for the UserFactory) that is the council's secretary."""
    user_fields = {f"user__{name}": value for name, value in user_fields.items()}
    return CouncilMembershipFactory(council=council, secretary=True, **user_fields).user
