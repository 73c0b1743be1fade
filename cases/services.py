"""Writes on cases: each one a transaction that writes all of it or nothing."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Sequence
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import (
    GEOSGeometry,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
)
from django.contrib.gis.geos.error import GEOSException
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from areas.datafiles import FileTooLargeError, UnsafeFileError, identify
from areas.geojson import check_geometry_object, crs_srid
from areas.importers import AreaImportError, UnknownSRIDError, read_features, uploaded_file
from areas.models import Area
from areas.validation import LAYER_TOLERANCE_METRES, place_check
from cases import digests
from cases.models import (
    AdjustmentAction,
    AreaOrigin,
    Case,
    CaseArea,
    CaseAreaAdjustment,
    CaseLayer,
    CaseLayerFeature,
    FrozenDigest,
    FrozenDigestPDF,
)
from core.identity import HEX_COLOUR
from follows.models import Topic
from follows.services import announce
from priorities.models import InputRecord, Status
from priorities.services import ANSWER_ROLES, input_set_status, staff_role

MAX_CASE_VERTICES = 100_000
MAX_UPLOAD_BYTES = 20_000_000
UPLOAD_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
# A digest with more rows than this gets its PDF from the background worker.
BACKGROUND_PDF_ROWS = 400

CASE_FIELDS = (
    "title",
    "summary",
    "body",
    "committee_name",
    "meeting_date",
    "status",
    "decision",
    "archive_url",
)


def case_geometry_from_upload(upload, *, field: str = "geometry_file") -> GEOSGeometry:
    """An uploaded GeoJSON, GeoPackage or zipped Shapefile as one geometry in its own SRID.

    Read by the area importer's reader (GDAL): one layer, a known SRID, at most
    MAX_CASE_VERTICES vertices and MAX_UPLOAD_BYTES. Nothing is repaired.
    """
    features = _read_upload(upload, field)
    return _combine([f.geometry for f in features], field)


def _read_upload(upload, field: str):
    if upload.size > MAX_UPLOAD_BYTES:
        message = _("The file is too large (at most %(mb)s MB).") % {
            "mb": MAX_UPLOAD_BYTES // 10**6
        }
        raise ValidationError({field: ValidationError(message, "too_large")})
    suffix = Path(upload.name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValidationError(
            {
                field: _(
                    "Upload GeoJSON, a GeoPackage or a zipped Shapefile (.geojson, .gpkg, .zip)."
                )
            }
        )
    upload.seek(0)
    head = upload.read(100)
    upload.seek(0)
    # A .geojson whose content is no format at all gets the GeoJSON message, not "unknown
    # format"; GeoJSON content (under any name) is checked by _check_geojson on the reader's
    # one parse of it.
    if identify(head) is None and suffix in {".geojson", ".json"}:
        raise ValidationError({field: _("The file is not valid GeoJSON (JSON).")})
    with uploaded_file(upload) as path:
        try:
            _srid, features = read_features(
                path,
                max_vertices=MAX_CASE_VERTICES,
                max_bytes=MAX_UPLOAD_BYTES,
                check_document=lambda document: _check_geojson(document, field),
            )
        except UnsafeFileError as exc:
            raise ValidationError({field: ValidationError(exc.user_message(), "unsafe")}) from exc
        except FileTooLargeError as exc:
            raise ValidationError(
                {field: ValidationError(exc.user_message(), "too_large")}
            ) from exc
        except (GDALException, GEOSException) as exc:
            # GDAL or GEOS could not make a geometry of it (a decimal comma, a ring that
            # does not close, too few positions): the file is refused, not repaired.
            raise ValidationError(
                {field: _("The file does not hold a geometry that can be read.")}
            ) from exc
        except UnknownSRIDError as exc:
            raise ValidationError({field: _unknown_srid()}) from exc
        except AreaImportError as exc:
            # Said in the planner's language where it was raised (areas.datafiles); the
            # English message, which names the server's temporary file, is for the log.
            raise ValidationError({field: ValidationError(exc.user_message(), "file")}) from exc
    if not features:
        raise ValidationError({field: _("The geometry is empty.")})
    if any(feature.geometry.hasz for feature in features):
        raise ValidationError(
            {
                field: _(
                    "Give positions with two coordinates (east and north, or longitude and "
                    "latitude), without height."
                )
            }
        )
    return features


def _check_geojson(data, field: str) -> None:
    """GeoJSON with well-formed geometries before GDAL reads it (the reader has parsed it
    as strict JSON, RFC 8259, and refused what is not).

    GDAL's own reader also takes trailing commas, comments, NaN and two objects in one
    file, drops empty holes and ignores a ``crs`` it cannot resolve (a link), which is not
    what the planner meant to send. A named ``crs`` member stays allowed: it is how a
    GeoJSON file says UTM; positions are range-checked as longitude/latitude unless it
    names another system."""
    if not isinstance(data, dict):
        raise ValidationError({field: _("GeoJSON must be an object.")})
    crs = data.get("crs")
    if crs is not None and not (
        isinstance(crs, dict)
        and crs.get("type") == "name"
        and isinstance(crs.get("properties"), dict)
        and isinstance(crs["properties"].get("name"), str)
    ):
        raise ValidationError({field: _unknown_srid()})
    lon_lat = crs_srid(crs) in (None, 4326)
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ValidationError({field: _("A FeatureCollection holds Features.")})
    else:
        features = [data]
    for feature in features:
        geometry = feature
        if isinstance(feature, dict) and feature.get("type") == "Feature":
            geometry = feature.get("geometry")
        elif data.get("type") == "FeatureCollection":
            raise ValidationError({field: _("A FeatureCollection holds Features.")})
        for part in (feature, geometry):
            if part is not data and isinstance(part, dict) and "crs" in part:
                raise ValidationError({field: _unknown_srid()})  # only the file says it
        check_geometry_object(geometry, field, lon_lat=lon_lat)


def _unknown_srid() -> str:
    """The message for a coordinate system the file does not name in a way we read."""
    return _(
        "The file's coordinate system is unknown. Use WGS 84 (EPSG:4326) or "
        "UTM (EPSG:25832, 25833, 25835), and say so in the file."
    )


def _combine(geometries: list[GEOSGeometry], field: str) -> GEOSGeometry:
    """One geometry from the features: itself, or a Multi- of one dimension."""
    if len(geometries) == 1:
        return geometries[0]
    srid = geometries[0].srid
    parts = []
    for geometry in geometries:
        parts.extend(list(geometry) if geometry.geom_type.startswith("Multi") else [geometry])
    kinds = {part.geom_type for part in parts}
    collection = {"Polygon": MultiPolygon, "LineString": MultiLineString, "Point": MultiPoint}
    if len(kinds) != 1 or next(iter(kinds)) not in collection:
        raise ValidationError(
            {field: _("Upload features of one kind: points, lines or areas, not a mix.")}
        )
    combined = collection[next(iter(kinds))](parts, srid=srid)
    return combined


def case_number_check(number: str, municipality) -> None:
    """A ValidationError on ``number`` when the municipality already has a case by it."""
    number = (number or "").strip()
    if Case.objects.filter(municipality=municipality, number=number).exists():
        raise ValidationError(
            {
                "number": _("Case %(number)s already exists in %(name)s.")
                % {"number": number, "name": municipality.name}
            }
        )


def case_geometry_check(geometry: GEOSGeometry, municipality, *, field: str = "geometry"):
    """A case's geometry in the storage SRID: the same check as councils' drawn places
    (areas.validation), with the case's limit of points."""
    return place_check(geometry, municipality, field=field, max_vertices=MAX_CASE_VERTICES)


def case_layer_geometry_check(geometry: GEOSGeometry, municipality, *, field: str = "file"):
    """A feature of a case's map layer: as a case's geometry, but it may reach up to
    LAYER_TOLERANCE_METRES beyond the municipality (context around the case)."""
    return place_check(
        geometry,
        municipality,
        field=field,
        max_vertices=MAX_CASE_VERTICES,
        tolerance_metres=LAYER_TOLERANCE_METRES,
    )


@transaction.atomic
def case_create(
    *,
    actor,
    municipality,
    number: str,
    geometry: GEOSGeometry | None = None,
    area_types: Sequence = (),
    buffer_metres: int = 0,
    **fields,
) -> Case:
    """Create a case with its geometry and compute the areas it affects."""
    staff_role(actor, municipality.pk, ANSWER_ROLES)
    number = (number or "").strip()
    case_number_check(number, municipality)
    case = Case(municipality=municipality, number=number, buffer_metres=buffer_metres)
    for name in CASE_FIELDS:
        if name in fields:
            setattr(case, name, fields[name])
    if geometry is not None:
        case.geom = case_geometry_check(geometry, municipality)
    case.full_clean()
    case.save()
    case.area_types.set(area_types)
    affected = case_areas_compute(case=case)
    announce(
        key=f"case:{case.pk}:registered",
        municipality=municipality,
        areas=affected,
        topic=Topic.CASE,
        title=f"{case.number} {case.title}".strip(),
        url=case.get_absolute_url(),
        summary=case.summary,
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor,
    case: Case,
    geometry: GEOSGeometry | None = None,
    area_types: Sequence | None = None,
    buffer_metres: int | None = None,
    **fields,
) -> Case:
    """Change a case's details; a new geometry, area types or buffer recompute its areas."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    for name in CASE_FIELDS:
        if name in fields:
            setattr(case, name, fields[name])
    if geometry is not None:
        case.geom = case_geometry_check(geometry, case.municipality)
    if buffer_metres is not None:
        case.buffer_metres = buffer_metres
    case.full_clean()
    case.save()
    if area_types is not None:
        case.area_types.set(area_types)
    case_areas_compute(case=case)
    return case


def case_areas_compute(*, case: Case) -> list[int]:
    """Store the areas the case affects: those of the chosen types (in force, in the case's
    municipality) meeting its geometry or within its buffer, then the planners'
    adjustments, the latest one per area winning."""
    computed: set[int] = set()
    type_ids = list(case.area_types.values_list("id", flat=True))
    if case.geom is not None and type_ids:
        computed = set(
            Area.objects.in_force()
            .filter(municipality_id=case.municipality_id, type_id__in=type_ids)
            .intersecting(case.geom, buffer_metres=case.buffer_metres)
            .values_list("id", flat=True)
        )
    latest: dict[int, str] = {}
    for area_id, action in case.area_adjustments.order_by("created_at", "id").values_list(
        "area_id", "action"
    ):
        latest[area_id] = action
    added = {a for a, action in latest.items() if action == AdjustmentAction.ADD}
    removed = {a for a, action in latest.items() if action == AdjustmentAction.REMOVE}
    wanted = {a: AreaOrigin.COMPUTED for a in computed - removed}
    wanted.update({a: AreaOrigin.ADDED for a in added - computed})
    CaseArea.objects.filter(case=case).exclude(area_id__in=wanted).delete()
    existing = dict(CaseArea.objects.filter(case=case).values_list("area_id", "origin"))
    CaseArea.objects.bulk_create(
        [
            CaseArea(case=case, area_id=a, origin=origin)
            for a, origin in wanted.items()
            if a not in existing
        ]
    )
    for area_id, origin in wanted.items():
        if area_id in existing and existing[area_id] != origin:
            CaseArea.objects.filter(case=case, area_id=area_id).update(origin=origin)
    return sorted(wanted)


@transaction.atomic
def case_area_adjust(*, actor, case: Case, area: Area, action: str, reason: str) -> None:
    """Add an area to the affected ones, or remove one, with a reason kept on the record."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    if action not in AdjustmentAction.values:
        raise ValidationError({"action": _("Choose to add or to remove the area.")})
    if area.municipality_id != case.municipality_id:
        raise ValidationError({"area": _("Choose an area in the case's municipality.")})
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Give a reason for the adjustment.")})
    CaseAreaAdjustment.objects.create(
        case=case, area=area, action=action, reason=reason.strip(), actor=actor
    )
    case_areas_compute(case=case)


@transaction.atomic
def case_layer_upload(*, actor, case: Case, name: str, upload) -> CaseLayer:
    """Add a named map layer to a case from a GeoJSON, GeoPackage or zipped Shapefile."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the layer a name.")})
    if case.layers.filter(name=name).exists():
        raise ValidationError({"name": _("The case already has a layer with this name.")})
    features = _read_upload(upload, "file")
    layer = CaseLayer.objects.create(
        case=case, name=name[:100], source=upload.name[:300], created_by=actor
    )
    CaseLayerFeature.objects.bulk_create(
        [
            CaseLayerFeature(
                layer=layer,
                geom=case_layer_geometry_check(feature.geometry, case.municipality),
                properties=feature.properties,
            )
            for feature in features
        ]
    )
    return layer


@transaction.atomic
def case_link_input(
    *,
    actor,
    case: Case,
    records: Sequence[InputRecord],
    public_text: str,
) -> int:
    """Link input of any kind to the case through the feedback loop: each record gets the
    status 'included in a case' with the case number, and its people are told."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    if any(record.municipality_id != case.municipality_id for record in records):
        raise ValidationError({"records": _("Link input from the case's municipality only.")})
    input_set_status(
        records=records,
        status=Status.IN_CASE,
        public_text=public_text,
        actor=actor,
        case_number=case.number,
    )
    return len(records)


def digest_rows(data: dict) -> int:
    """How many table rows a digest has (large ones get their PDF in the background)."""
    rows = sum(len(data.get(key) or []) for key in ("top", "per_area", "linked"))
    for section in data.get("inputs", []):
        rows += len(section["linked"]) + sum(len(group["rows"]) for group in section["groups"])
    return rows + len(data["map"]["points"])


@transaction.atomic
def digest_freeze(
    *,
    actor,
    case: Case,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> FrozenDigest:
    """Attach the case's digest as it is now, for its meeting: data, HTML and PDF, with the
    next version number. All of it is written, or nothing."""
    from cases import tasks

    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    until = until or timezone.localdate()
    if since and since > until:
        raise ValidationError({"since": _("The period starts after it ends.")})
    if until > timezone.localdate():
        raise ValidationError({"until": _("The period cannot end in the future.")})
    Case.objects.select_for_update().filter(pk=case.pk).get()
    data = digests.case_digest(case, since, until)
    version = (case.frozen_digests.aggregate(last=Max("version"))["last"] or 0) + 1
    frozen_at = timezone.now()
    html = render_to_string(
        "cases/_digest.html",
        {"digest": data, "case": case, "frozen": {"version": version, "frozen_at": frozen_at}},
    )
    frozen = FrozenDigest.objects.create(
        case=case,
        version=version,
        meeting_date=case.meeting_date,
        since=since,
        until=until,
        language=translation.get_language() or "nb",
        data=data,
        html=html,
        fingerprint=digests.fingerprint(data),
        frozen_by=actor,
    )
    if digest_rows(data) > BACKGROUND_PDF_ROWS:
        tasks.render_frozen_pdf.defer(digest_id=frozen.pk)
    else:
        digest_pdf_save(frozen)
    return frozen


def digest_pdf_bytes(*, case: Case, html: str, title: str) -> bytes:
    """An A4 PDF of a digest's HTML, for the case documents (WeasyPrint)."""
    from weasyprint import HTML

    municipality = case.municipality
    document = render_to_string(
        "cases/digest_pdf.html",
        {
            "case": case,
            "body": html,
            "title": title,
            # Checked again here: it is written into the PDF's stylesheet.
            "accent_colour": municipality.accent_colour
            if HEX_COLOUR.fullmatch(municipality.accent_colour or "")
            else "",
            "emblem_data_uri": _emblem_data_uri(municipality),
        },
    )
    return HTML(string=document, base_url=None).write_pdf()


def _emblem_data_uri(municipality) -> str:
    """The coat of arms inside the PDF (our own re-encoded PNG; WeasyPrint fetches nothing)."""
    if not municipality.emblem:
        return ""
    try:
        with municipality.emblem.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def digest_pdf_save(frozen: FrozenDigest) -> FrozenDigestPDF:
    """Make and store the PDF of a frozen digest, from its frozen HTML (once)."""
    with translation.override(frozen.language):
        title = _("Digest for case %(number)s, version %(version)s") % {
            "number": frozen.case.number,
            "version": frozen.version,
        }
        content = digest_pdf_bytes(case=frozen.case, html=frozen.html, title=title)
    pdf = FrozenDigestPDF(
        digest=frozen, size=len(content), sha256=hashlib.sha256(content).hexdigest()
    )
    name = f"{frozen.case.number.replace('/', '-')}-v{frozen.version}.pdf"
    pdf.file.save(name, ContentFile(content), save=False)
    pdf.save()
    return pdf
