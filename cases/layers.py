"""A case's map layers: its geometry, uploaded layers, and layers derived from the input
in its affected areas (priorities by category, councils' submissions), as RFC 7946 GeoJSON."""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import Transform
from django.http import Http404
from django.utils.translation import gettext as _

from areas.models import Area
from cases.models import Case
from priorities import kinds
from priorities.models import Category, Priority

API_SRID = 4326
AREA_SIMPLIFY_METRES = 10


def _priorities(case: Case):
    links = Priority.areas.through.objects.filter(
        area_id__in=case.case_areas.values("area_id")
    ).values("priority_id")
    return Priority.public_objects.filter(id__in=links)


def _placed_kinds() -> list[kinds.InputKind]:
    """The kinds of input besides priorities whose records may have a place of their own."""
    return [kind for kind in kinds.all_kinds() if kind.in_digest and kind.geometry_field]


def _placed(case: Case, kind: kinds.InputKind):
    """A kind's public records with a place, in the case's affected areas."""
    return kind.in_areas(case.case_areas.values("area_id")).filter(
        **{f"{kind.geometry_field}__isnull": False}
    )


def case_layers(case: Case) -> list[dict]:
    """The layers a case's map offers: key, name and kind (case, uploaded, derived)."""
    layers = []
    if case.case_areas.exists():
        layers.append({"key": "areas", "name": _("Affected areas"), "kind": "areas"})
    if case.geom is not None:
        layers.append({"key": "case", "name": _("The case's geometry"), "kind": "case"})
    for layer in case.layers.all():
        layers.append({"key": f"upload-{layer.pk}", "name": layer.name, "kind": "uploaded"})
    slugs = set(_priorities(case).values_list("category__slug", flat=True).distinct())
    for category in Category.objects.for_municipality(case.municipality.code).filter(
        slug__in=slugs
    ):
        layers.append(
            {
                "key": f"priorities-{category.slug}",
                "name": _("Priorities: %(category)s") % {"category": category.name},
                "kind": "derived",
                "colour": category.colour,
            }
        )
    for kind in _placed_kinds():
        if _placed(case, kind).exists():
            layers.append(
                {
                    "key": f"input-{kind.key}",
                    "name": str(kind.label_plural).capitalize(),
                    "kind": "derived",
                }
            )
    return layers


def _feature(geometry, properties: dict, feature_id=None) -> dict:
    feature = {"type": "Feature", "geometry": json.loads(geometry.json), "properties": properties}
    if feature_id is not None:
        feature["id"] = feature_id
    return feature


def layer_geojson(case: Case, key: str) -> dict:
    """One layer as a GeoJSON FeatureCollection (WGS 84, longitude first), or Http404."""
    features = []
    if key == "case" and case.geom is not None:
        geom = Case.objects.annotate(g=Transform("geom", API_SRID)).get(pk=case.pk).g
        features = [_feature(geom, {"number": case.number, "title": case.title}, case.pk)]
    elif key == "areas":
        features = [
            _feature(a.api_geom, {"name": a.name, "type": a.type.slug, "code": a.code}, a.pk)
            for a in Area.objects.filter(pk__in=case.case_areas.values("area_id"))
            .select_related("type")
            .defer("geom")
            .with_api_geometry(AREA_SIMPLIFY_METRES)
        ]
    elif key.startswith("upload-") and key[7:].isdigit():
        layer = case.layers.filter(pk=int(key[7:])).first()
        if layer is None:
            raise Http404
        features = [
            _feature(f.g, {**f.properties, "layer": layer.name}, f.pk)
            for f in layer.features.annotate(g=Transform("geom", API_SRID))
        ]
    elif key.startswith("priorities-"):
        slug = key[len("priorities-") :]
        features = [
            _feature(
                p.api_point,
                {
                    "reference": p.reference,
                    "title": p.title,
                    "category": slug,
                    "status": p.status,
                    "supports": p.support_count,
                    "url": p.get_absolute_url(),
                },
                p.pk,
            )
            for p in _priorities(case).filter(category__slug=slug).with_api_point()
        ]
        if not features:
            raise Http404
    elif key.startswith("input-") and key[6:] in {kind.key for kind in _placed_kinds()}:
        kind = kinds.get(key[6:])
        records = _placed(case, kind).select_related(*kind.select)
        features = [
            _feature(record.api_geom, kind.layer_properties(record), record.pk)
            for record in records.annotate(api_geom=Transform(kind.geometry_field, API_SRID))
        ]
    else:
        raise Http404
    return {"type": "FeatureCollection", "features": features}
