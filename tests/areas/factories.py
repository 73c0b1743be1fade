import factory
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from areas.models import STORAGE_SRID, Area, AreaType, Municipality
from areas.services import area_subdivide


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
