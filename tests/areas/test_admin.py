"""Editing an area by hand in the admin: its lookup pieces and the input in it follow."""

import pytest
from django.contrib.gis.geos import MultiPolygon

from areas.models import Area
from priorities import rollups
from priorities.models import PriorityAreaStat
from tests.priorities.factories import BODO_CENTRE, MISVAER, make_priority

pytestmark = pytest.mark.django_db


def _change_form(area: Area, geom) -> dict:
    """The admin change form of the area as shown, with another geometry."""
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=geom.srid)
    return {
        "name": area.name,
        "code": area.code,
        "type": area.type_id,
        "municipality": area.municipality_id or "",
        "parent": area.parent_id or "",
        "valid_from": area.valid_from or "",
        "valid_to": area.valid_to or "",
        "geom": geom.ewkt,
    }


def test_a_boundary_edited_in_the_admin_moves_the_priorities_and_their_counts(admin_client):
    """Sentrum's district is redrawn to leave out the centre and take in Misvær: the
    priority in the centre loses it, the one in Misvær gets it (lowest code on the
    overlap), and the rollup counts follow."""
    centre, misvaer = make_priority(at=BODO_CENTRE), make_priority(at=MISVAER)
    sentrum = Area.objects.current().get(code="1804-SK01")
    misvaer_district = Area.objects.current().get(code="1804-SK08")
    assert [a.code for a in centre.areas.filter(type__slug="skolekrets")] == ["1804-SK01"]
    redrawn = sentrum.geom.difference(centre.point.buffer(500)).union(misvaer_district.geom)

    response = admin_client.post(
        f"/admin/areas/area/{sentrum.pk}/change/", _change_form(sentrum, redrawn)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not centre.areas.filter(type__slug="skolekrets").exists()
    assert [a.code for a in misvaer.areas.filter(type__slug="skolekrets")] == ["1804-SK01"]
    assert Area.objects.current().of_type("skolekrets").covering(centre.point).count() == 0
    stats = PriorityAreaStat.objects.filter(area=sentrum)
    assert sum(stats.values_list("count", flat=True)) == 1
    assert rollups.drift() == []
