"""The area importer core: reads a file through GDAL, checks it, and writes it in one transaction.

The ``import_areas`` command and the admin upload are thin callers of
:func:`import_areas`. Reading happens in Python through GDAL (so every format
GDAL knows works, zipped or not); reprojection, validity checks, repairs,
comparison with what is stored and subdivision happen set-based in PostGIS.
"""

from __future__ import annotations

import datetime
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.db import DatabaseError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils.text import slugify
from django.utils.translation import gettext as _

from areas.datafiles import DataFileError, Limits, OpenedFile, opened
from areas.geojson import crs_srid
from areas.models import STORAGE_SRID, Area, AreaType, Municipality
from areas.services import area_subdivide
from areas.signals import areas_changed

POLYGON_TYPES = {"Polygon", "MultiPolygon", "Polygon25D", "MultiPolygon25D"}
# The area type whose areas define municipalities (their code is the kommunenummer).
MUNICIPALITY_TYPE = "kommune"


# A file that cannot be imported; the message names the problem and the feature. The
# refusals of areas.datafiles (UnsafeFileError, FileTooLargeError) are among them.
AreaImportError = DataFileError


class UnknownSRIDError(AreaImportError):
    """The file's coordinate system matches no EPSG code PostGIS knows."""


@dataclass(frozen=True)
class Repair:
    """An invalid geometry that the import repaired with ST_MakeValid."""

    feature: int
    code: str
    reason: str

    def __str__(self) -> str:
        return f"feature {self.feature} (code {self.code}): repaired: {self.reason}"


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    source: str
    layer: str
    source_srid: int
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_generations: int = 0
    repairs: list[Repair] = field(default_factory=list)
    dry_run: bool = False
    changed_area_ids: list[int] = field(default_factory=list)

    @property
    def repaired(self) -> int:
        return len(self.repairs)

    def summary(self) -> str:
        """The one-line summary the command ends with."""
        text = (
            f"{self.features} features from layer '{self.layer}' (EPSG:{self.source_srid}): "
            f"{self.created} created, {self.updated} updated, {self.repaired} repaired, "
            f"{self.unchanged} unchanged"
        )
        if self.new_generations:
            text += f", {self.new_generations} new generations"
        if self.dry_run:
            text += " (dry run: nothing was written)"
        return text


@dataclass(frozen=True)
class ImportOptions:
    """The arguments of an import, shared by the command and the admin upload."""

    path: Path
    type_slug: str
    code_field: str
    name_field: str
    layer: str | None = None
    municipality: str | None = None
    srid: int | None = None
    valid_from: datetime.date | None = None
    dry_run: bool = False
    source_label: str | None = None


@dataclass
class _Row:
    feature: int
    code: str
    name: str
    wkb: bytes


def import_areas(
    options: ImportOptions, *, progress: Callable[[Iterable], Iterable] | None = None
) -> ImportReport:
    """Import the areas in a file: all of them, or none with an AreaImportError.

    Upserts by (area type, code): a feature whose current area has the same name
    and geometry is unchanged, otherwise it is updated in place, or, when
    ``valid_from`` is later than the stored generation's, the stored generation
    is closed and a new one created.
    """
    slug = slugify(options.type_slug)
    if not slug:
        raise AreaImportError(f"'{options.type_slug}' is not a usable area type slug.")
    if options.municipality is not None and not (
        len(options.municipality) == 4 and options.municipality.isdigit()
    ):
        raise AreaImportError(
            f"Municipality '{options.municipality}' is not a four-digit kommunenummer."
        )
    with opened(Path(options.path), limits=Limits.from_settings()) as source:
        return _import(source.datasource, options, slug, progress)


def _import(datasource: DataSource, options: ImportOptions, slug: str, progress) -> ImportReport:
    layer = _pick_layer(datasource, options.layer)
    fields = list(layer.fields)
    for flag, name in (("--code-field", options.code_field), ("--name-field", options.name_field)):
        if name not in fields:
            raise AreaImportError(
                f"Layer '{layer.name}' has no field '{name}' ({flag}). "
                f"Its fields are: {', '.join(fields) or '(none)'}."
            )
    source_srid = options.srid or _layer_srid(layer)
    _check_extent(layer, source_srid)

    feature_count = len(layer)
    iterate = progress or (lambda items: items)
    rows = list(iterate(_read_features(layer, options, feature_count)))
    if not rows:
        raise AreaImportError(f"Layer '{layer.name}' has no features.")
    _check_unique_codes(rows, options.code_field)

    report = ImportReport(
        source=options.source_label or Path(options.path).name,
        layer=layer.name,
        source_srid=source_srid,
        features=len(rows),
        dry_run=options.dry_run,
    )
    try:
        with transaction.atomic():
            _write(rows, options, slug, report)
            if options.dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        raise AreaImportError(f"The database refused the import: {exc}".strip()) from exc
    return report


@dataclass
class FileFeature:
    """A feature read from a file: its geometry (in the file's SRID) and its attributes."""

    geometry: object
    properties: dict


@contextmanager
def uploaded_file(upload) -> Iterator[Path]:
    """An uploaded file written to a temporary path, removed afterwards: what the admin's
    import and a case upload read. The path has no suffix: the format is read from the
    content (areas.datafiles), never from the name the uploader chose."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path


def read_features(
    path: Path,
    *,
    max_vertices: int,
    max_bytes: int | None = None,
    check_document: Callable[[dict], None] | None = None,
) -> tuple[int, list[FileFeature]]:
    """The features of a file's one layer (any geometry type), with the file's SRID.

    The same reading as the area import (GDAL, zipped or not, the layer's SRID, the
    longitude/latitude extent check); nothing is repaired or reprojected here. ``max_bytes``
    lowers the settings' limit on what the file holds unzipped. Raises AreaImportError
    (UnknownSRIDError for an unknown coordinate system, UnsafeFileError, FileTooLargeError).
    ``check_document`` sees a GeoJSON file's parsed document first (see ``opened``).
    """
    limits = Limits.from_settings(max_bytes=max_bytes)
    with opened(Path(path), limits=limits, check_document=check_document) as source:
        return _read_features_of(source, max_vertices)


def _read_features_of(source: OpenedFile, max_vertices: int) -> tuple[int, list[FileFeature]]:
    datasource = source.datasource
    if datasource.layer_count != 1:
        names = ", ".join(datasource[i].name for i in range(datasource.layer_count))
        raise AreaImportError(
            f"The file has {datasource.layer_count} layers ({names}); upload one.",
            user=_("The file has %(n)s layers (%(names)s); upload a file with one.")
            % {"n": datasource.layer_count, "names": names},
        )
    layer = datasource[0]
    srid = _layer_srid(layer)
    if source.document is not None:
        named = crs_srid(source.document.get("crs"))
        # GDAL reads a GeoJSON whose 'crs' it does not know as WGS 84 (with only a log
        # line): a file that names another coordinate system must not pass as lon/lat.
        if named is not None and named != srid:
            raise UnknownSRIDError(f"The file names the coordinate system {named}, unknown here.")
    with connection.cursor() as cursor:
        _check_srid_known(cursor, srid)
    _check_extent(layer, srid)
    features, vertices = [], 0
    for number, feature in enumerate(layer, start=1):
        geometry = _geometry(feature)
        if geometry is None:
            raise AreaImportError(
                f"Feature {number} has no geometry.",
                user=_("Feature %(n)s in the file has no geometry.") % {"n": number},
            )
        _check_finite(geometry, f"Feature {number}", number=number)
        geos = geometry.geos
        geos.srid = srid
        vertices += geos.num_coords
        if vertices > max_vertices:
            raise AreaImportError(
                f"The file has more than {max_vertices} vertices.",
                user=_("The geometry has too many points (at most %(n)s).") % {"n": max_vertices},
            )
        features.append(
            FileFeature(
                geometry=geos,
                properties={name: _json_value(feature.get(name)) for name in layer.fields},
            )
        )
    return srid, features


def _json_value(value):
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def _pick_layer(datasource: DataSource, wanted: str | None):
    layers = {datasource[i].name: datasource[i] for i in range(datasource.layer_count)}
    if wanted:
        if wanted not in layers:
            raise AreaImportError(
                f"The file has no layer '{wanted}'. Its layers are: {', '.join(layers)}."
            )
        return layers[wanted]
    polygonal = [
        layer for layer in layers.values() if layer.geom_type.name in POLYGON_TYPES | {"Unknown"}
    ]
    if not polygonal:
        found = ", ".join(f"{name} ({layer.geom_type.name})" for name, layer in layers.items())
        raise AreaImportError(f"The file has no polygons: its layers are {found}.")
    if len(polygonal) > 1:
        raise AreaImportError(
            "The file has several polygon layers; choose one with --layer: "
            + ", ".join(layer.name for layer in polygonal)
            + "."
        )
    return polygonal[0]


def _layer_srid(layer) -> int:
    srs = layer.srs
    if srs is None:
        raise UnknownSRIDError(
            f"Layer '{layer.name}' names no coordinate system (unknown SRID); give it with --srid."
        )
    srid = srs.srid
    if srid is None:
        try:
            srs.identify_epsg()
            srid = srs.srid
        except GDALException:
            srid = None
    if srid is None:
        raise UnknownSRIDError(
            f"The coordinate system of layer '{layer.name}' ({srs.name}) matches no EPSG code "
            "(unknown SRID); give it with --srid."
        )
    return int(srid)


def _check_srid_known(cursor, srid: int) -> None:
    """An UnknownSRIDError unless PostGIS has this SRID in spatial_ref_sys (GDAL knows more
    coordinate systems than the database can transform)."""
    cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
    if cursor.fetchone() is None:
        raise UnknownSRIDError(f"EPSG:{srid} is not an SRID PostGIS knows.")


def _check_extent(layer, srid: int) -> None:
    """Catch a file labelled as longitude/latitude whose coordinates are metres."""
    if srid != 4326 or len(layer) == 0:
        return
    try:
        xmin, ymin, xmax, ymax = layer.extent.tuple
    except GDALException:
        return
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise AreaImportError(
            f"Layer '{layer.name}' says EPSG:4326 (longitude/latitude) but its coordinates reach "
            f"({xmin:.0f}, {ymin:.0f}) – ({xmax:.0f}, {ymax:.0f}); give the real SRID with --srid.",
            user=_(
                "The file says longitude and latitude (EPSG:4326), but its coordinates reach "
                "beyond their ranges: name the coordinate system the file is really in."
            ),
        )


def _read_features(layer, options: ImportOptions, count: int) -> Iterable[_Row]:
    for number, feature in enumerate(layer, start=1):
        code = _text(feature.get(options.code_field))
        where = f"Feature {number} of {count}" + (f" ({options.code_field} {code})" if code else "")
        if not code:
            raise AreaImportError(f"{where} has an empty {options.code_field} (--code-field).")
        name = _text(feature.get(options.name_field))
        if not name:
            raise AreaImportError(f"{where} has an empty {options.name_field} (--name-field).")
        geometry = _geometry(feature)
        if geometry is None:
            raise AreaImportError(f"{where} has no geometry.")
        if geometry.geom_type.name not in POLYGON_TYPES:
            raise AreaImportError(
                f"{where} is a {geometry.geom_type.name}; only Polygon and MultiPolygon "
                "features can be areas."
            )
        _check_finite(geometry, where)
        yield _Row(feature=number, code=code, name=name, wkb=bytes(geometry.wkb))


def _geometry(feature):
    """A feature's geometry, or None when it has none (missing, empty or unreadable)."""
    try:
        geometry = feature.geom
    except GDALException:
        return None
    return None if geometry is None or geometry.empty else geometry


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_finite(geometry, where: str, *, number: int | None = None) -> None:
    xmin, ymin, xmax, ymax = geometry.extent
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        raise AreaImportError(
            f"{where} has coordinates that are not finite numbers.",
            user=_("Feature %(n)s in the file has coordinates that are not finite numbers.")
            % {"n": number}
            if number is not None
            else None,
        )


def _check_unique_codes(rows: list[_Row], code_field: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            raise AreaImportError(
                f"Features {seen[row.code]} and {row.feature} have the same {code_field} "
                f"'{row.code}'; each area needs its own code."
            )
        seen[row.code] = row.feature


# The write is set-based SQL on a temporary staging table: the ORM has no
# COPY, no INSERT … SELECT and no set-returning ST_Subdivide, and doing the
# transform, validity check and repair row by row in Python would be slower
# than the ogr2ogr baseline this import is measured against.
def _write(rows: list[_Row], options: ImportOptions, slug: str, report: ImportReport) -> None:
    area_type, _ = AreaType.objects.get_or_create(
        slug=slug, defaults={"name_nb": slug.replace("-", " ").capitalize()}
    )
    municipality = None
    if options.municipality:
        municipality, _ = Municipality.objects.get_or_create(
            code=options.municipality, defaults={"name": options.municipality}
        )
    with connection.cursor() as cursor:
        # Imports of one area type wait for each other instead of racing.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"areas.import:{slug}"])
        _check_srid_known(cursor, report.source_srid)
        cursor.execute(
            "CREATE TEMP TABLE area_import (feature integer PRIMARY KEY, code text NOT NULL, "
            "name text NOT NULL, wkb bytea NOT NULL, geom geometry) ON COMMIT DROP"
        )
        with cursor.copy("COPY area_import (feature, code, name, wkb) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.feature, row.code, row.name, row.wkb))
        report.repairs = _repair(cursor, report.source_srid)
        _check_repaired(cursor)
        _apply(cursor, area_type, municipality, options, report)
        # An import nested in a caller's transaction (the demo loader) must not leave it behind.
        cursor.execute("DROP TABLE area_import")
    if slug == MUNICIPALITY_TYPE:
        _sync_municipalities(area_type, report)
    _link_parents(area_type, report)
    if report.changed_area_ids:
        areas_changed.send(sender=Area, area_ids=report.changed_area_ids, area_type_id=area_type.pk)


def _repair(cursor, source_srid: int) -> list[Repair]:
    """Check validity in the file's own coordinates, repair, then reproject.

    The report names the problems as they are in the file. A reprojection can
    very rarely make a valid polygon invalid; those are repaired too and named so.
    """
    cursor.execute(
        "UPDATE area_import SET geom = ST_Multi(ST_Force2D(ST_SetSRID(ST_GeomFromWKB(wkb), %s)))",
        [source_srid],
    )
    repairs = _repair_invalid(cursor, "")
    cursor.execute(
        "UPDATE area_import SET geom = ST_Transform(geom, %s)",
        [STORAGE_SRID],
    )
    return repairs + _repair_invalid(cursor, " after reprojection")


def _repair_invalid(cursor, when: str) -> list[Repair]:
    cursor.execute(
        "SELECT feature, code, ST_IsValidReason(geom) FROM area_import "
        "WHERE NOT ST_IsValid(geom) ORDER BY feature"
    )
    repairs = [Repair(feature=f, code=c, reason=r + when) for f, c, r in cursor.fetchall()]
    if repairs:
        cursor.execute(
            "UPDATE area_import SET geom = ST_Multi(ST_CollectionExtract("
            "ST_MakeValid(geom, 'method=structure'), 3)) WHERE NOT ST_IsValid(geom)"
        )
    return repairs


def _check_repaired(cursor) -> None:
    cursor.execute(
        "SELECT feature, code FROM area_import WHERE ST_IsEmpty(geom) OR NOT ST_IsValid(geom) "
        "ORDER BY feature LIMIT 1"
    )
    broken = cursor.fetchone()
    if broken:
        raise AreaImportError(
            f"Feature {broken[0]} (code {broken[1]}) has a polygon that cannot be repaired "
            "(it has no area left after ST_MakeValid)."
        )


def _apply(cursor, area_type, municipality, options: ImportOptions, report: ImportReport) -> None:
    """Sort the staged features into created / updated / new generation / unchanged, and write."""
    table = Area._meta.db_table
    cursor.execute(
        f"SELECT s.feature, a.id, a.valid_from, "
        f"(a.geom = s.geom AND a.name = s.name AND (%s::bigint IS NULL OR a.municipality_id = %s)) "
        f"FROM area_import s LEFT JOIN {table} a "
        f"ON a.type_id = %s AND a.code = s.code AND a.valid_to IS NULL",
        [municipality.pk if municipality else None] * 2 + [area_type.pk],
    )
    create, update, supersede = [], [], []
    for feature, area_id, stored_from, same in cursor.fetchall():
        if area_id is None:
            create.append(feature)
        elif same:
            report.unchanged += 1
        elif options.valid_from and (stored_from is None or options.valid_from > stored_from):
            supersede.append((feature, area_id))
        else:
            update.append((feature, area_id))
    source = (options.source_label or Path(options.path).name)[:500]
    muni_id = municipality.pk if municipality else None
    changed: list[int] = []

    if supersede:
        cursor.execute(
            f"UPDATE {table} SET valid_to = %s, updated_at = now() WHERE id = ANY(%s)",
            [options.valid_from, [area_id for _, area_id in supersede]],
        )
    new_features = create + [feature for feature, _ in supersede]
    if new_features:
        cursor.execute(
            f"INSERT INTO {table} (name, code, type_id, municipality_id, valid_from, source, "
            f"updated_at, geom) SELECT name, code, %s, %s, %s, %s, now(), geom "
            f"FROM area_import WHERE feature = ANY(%s) ORDER BY feature RETURNING id",
            [area_type.pk, muni_id, options.valid_from, source, new_features],
        )
        changed += [row[0] for row in cursor.fetchall()]
    if update:
        cursor.execute(
            f"UPDATE {table} a SET name = s.name, geom = s.geom, source = %s, "
            f"municipality_id = COALESCE(%s, a.municipality_id), updated_at = now() "
            f"FROM area_import s, unnest(%s::int[], %s::bigint[]) AS u(feature, area_id) "
            f"WHERE s.feature = u.feature AND a.id = u.area_id",
            [source, muni_id, [f for f, _ in update], [a for _, a in update]],
        )
        changed += [area_id for _, area_id in update]

    report.created = len(create)
    report.updated = len(update) + len(supersede)
    report.new_generations = len(supersede)
    report.changed_area_ids = changed
    area_subdivide(area_ids=changed)


def _sync_municipalities(area_type: AreaType, report: ImportReport) -> None:
    """Areas of type 'kommune' define municipalities: their code is the kommunenummer."""
    changed = Area.objects.filter(id__in=report.changed_area_ids)
    bad = changed.exclude(code__regex=r"^[0-9]{4}$").first()
    if bad:
        raise AreaImportError(
            f"Area {bad.name} has code '{bad.code}', which is not a four-digit kommunenummer; "
            f"areas of type '{MUNICIPALITY_TYPE}' must have one."
        )
    Municipality.objects.bulk_create(
        [Municipality(code=code, name=name) for code, name in changed.values_list("code", "name")],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    changed.update(
        municipality=Subquery(Municipality.objects.filter(code=OuterRef("code")).values("id")[:1])
    )


def _link_parents(area_type: AreaType, report: ImportReport) -> None:
    """An area that belongs to a municipality hangs under that municipality's current boundary."""
    if area_type.slug == MUNICIPALITY_TYPE or not report.changed_area_ids:
        return
    changed = Area.objects.filter(id__in=report.changed_area_ids, municipality__isnull=False)
    pairs = changed.values_list("municipality_id", "municipality__code").distinct()
    for municipality_id, code in pairs:
        boundary = (
            Area.objects.current()
            .of_type(MUNICIPALITY_TYPE)
            .filter(code=code)
            .values_list("id", flat=True)
            .first()
        )
        changed.filter(municipality_id=municipality_id).update(parent_id=boundary)
