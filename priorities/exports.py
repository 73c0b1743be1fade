"""Exports of what a planner sees: CSV (opens in Excel with Norwegian letters), GeoJSON
(RFC 7946) and GeoPackage (written by GDAL's ogr2ogr). Small ones are made in the request;
large ones in the background queue."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from areas.models import Area
from core import csvfiles
from priorities.filters import PriorityFilter
from priorities.models import Category, Priority, Status

# Above this many rows an export runs in the background task queue.
BACKGROUND_ROWS = 50_000
COLUMNS = [
    "reference",
    "title",
    "text",
    "category",
    "category_code",
    "status",
    "status_code",
    "support_count",
    "created_at",
    "first_answered_at",
    "areas",
    "lon",
    "lat",
]
PERSONAL_COLUMNS = ["author_name", "author_email"]


def export_rows(queryset, *, include_personal_data: bool) -> Iterator[dict]:
    """One dict per priority, in batches (memory stays flat for a million rows). Status and
    category are named in the active language (the exporting planner's), with their codes
    beside them for programs (``status_code``, ``category_code``)."""
    rows = (
        queryset.with_api_point()
        .select_related("category", "author")
        .prefetch_related("areas")
        .order_by("id")
    )
    for priority in rows.iterator(chunk_size=2000):
        row = {
            "reference": priority.reference,
            "title": priority.title,
            "text": priority.text,
            "category": priority.category.name,
            "category_code": priority.category.slug,
            "status": str(Status(priority.status).label),
            "status_code": priority.status,
            "support_count": priority.support_count,
            "created_at": priority.created_at.isoformat(timespec="seconds"),
            "first_answered_at": priority.first_answered_at.isoformat(timespec="seconds")
            if priority.first_answered_at
            else "",
            "areas": "; ".join(sorted(area.name for area in priority.areas.all())),
            "lon": round(priority.api_point.x, 7),
            "lat": round(priority.api_point.y, 7),
        }
        if include_personal_data:
            author = priority.author
            row["author_name"] = author.get_full_name() if author else ""
            row["author_email"] = author.email if author else ""
        yield row


# Norwegian letters as people write them without: a file name stays ASCII and readable.
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def ascii_slug(text: str) -> str:
    """A lower-case ASCII slug: "Bodø sentrum" -> "bodo-sentrum"."""
    return slugify(str(text).translate(_ASCII))


def filter_summary(query: dict) -> list[str]:
    """The filter in a few plain words of the active language, for a file name: the area's
    and the category's names, the status, the dates, not the query parameters."""
    words = []
    if str(query.get("area", "")).isdigit():
        area = Area.objects.filter(pk=int(query["area"])).first()
        if area is not None:
            words.append(area.name)
    if query.get("category"):
        category = Category.objects.filter(slug=query["category"]).first()
        words.append(category.name if category is not None else query["category"])
    if query.get("status") in Status.values:
        words.append(str(Status(query["status"]).label))
    if query.get("answered") in ("true", "false"):
        words.append(_("Answered") if query["answered"] == "true" else _("Not answered"))
    if query.get("min_support"):
        words.append(_("at least %(n)s supporters") % {"n": query["min_support"]})
    if query.get("since"):
        words.append(_("from %(date)s") % {"date": query["since"]})
    if query.get("until"):
        words.append(_("until %(date)s") % {"date": query["until"]})
    if query.get("case"):
        words.append(f"{_('Case')} {query['case']}")
    if query.get("q"):
        words.append(f"{_('Search')} {query['q']}")
    return words


def file_name(municipality, query: dict, extension: str) -> str:
    """A readable, ASCII-safe name in the active language that says what is in the file:
    prioriteter-bodo-trafikksikkerhet-under-vurdering-2026-12-01.csv"""
    summary = ascii_slug(" ".join(filter_summary(query)))[:100].strip("-")
    stamp = timezone.localdate().isoformat()
    parts = [ascii_slug(_("priorities")), ascii_slug(municipality.name), summary, stamp]
    return "-".join(part for part in parts if part) + f".{extension}"


def write_csv(rows: Iterator[dict], out: io.TextIOBase, *, include_personal_data: bool) -> int:
    """UTF-8 with a byte-order mark and semicolons: what Norwegian Excel opens correctly;
    text that a spreadsheet would take for a formula is written as text."""
    out.write("\ufeff")
    columns = COLUMNS + (PERSONAL_COLUMNS if include_personal_data else [])
    writer = csvfiles.DictWriter(out, fieldnames=columns, delimiter=";")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_geojson(rows: Iterator[dict], out: io.TextIOBase, *, query: dict) -> int:
    """An RFC 7946 FeatureCollection (lon/lat), with the filter and the attribution."""
    out.write('{"type": "FeatureCollection", ')
    out.write(
        f'"metadata": {json.dumps(export_metadata(query), ensure_ascii=False)}, "features": ['
    )
    count = 0
    for row in rows:
        lon, lat = row.pop("lon"), row.pop("lat")
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": row,
        }
        out.write(("," if count else "") + json.dumps(feature, ensure_ascii=False))
        count += 1
    out.write("]}")
    return count


def write_gpkg(rows: Iterator[dict], path: Path, *, query: dict) -> int:
    """A GeoPackage written by ogr2ogr from a GeoJSON of the same rows, with metadata."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.geojson"
        with source.open("w", encoding="utf-8") as handle:
            count = write_geojson(rows, handle, query=query)
        command = ["ogr2ogr", "-f", "GPKG", str(path), str(source), "-nln", "prioriteter"]  # noqa: S607
        for key, value in export_metadata(query).items():
            command += ["-mo", f"{key}={value}"]
        # A list of arguments, no shell: the filter values cannot become options or commands.
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    return count


def export_metadata(query: dict) -> dict:
    return {
        "title": "Nabolaget: prioriteter",
        "filter": urlencode(sorted((k, v) for k, v in query.items() if v)),
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "attribution": str(settings.NABOLAGET_DATA_ATTRIBUTION),
        "crs": "EPSG:4326 (RFC 7946, longitude first)",
    }


def queryset_for(export_query: dict):
    """The priorities an export's filter selects (the same FilterSet the planner page uses)."""
    params = QueryDict(mutable=True)
    params.update(export_query)
    return PriorityFilter(params, queryset=Priority.public_objects.all()).qs


def write_file(
    fmt: str, rows: Iterator[dict], path: Path, *, query: dict, include_personal_data: bool
) -> int:
    """Write the rows to a file in the format ('csv', 'geojson' or 'gpkg'); returns the row count."""
    if fmt == "gpkg":
        return write_gpkg(rows, path, query=query)
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            return write_csv(rows, handle, include_personal_data=include_personal_data)
        return write_geojson(rows, handle, query=query)
