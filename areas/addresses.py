"""Import an address list: Kartverket's Matrikkel address CSV, or a municipality's export of it.

The file is semicolon-separated with a header row, in UTF-8 (a BOM is fine). Columns used:
``kommunenummer``, ``adresseTekst``, ``postnummer``, ``poststed``, ``nord``, ``øst`` and
``EPSG-kode`` (the SRID of nord/øst, e.g. 25833). All rows or none are imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, Point
from django.db import transaction

from areas.importers import AreaImportError
from areas.models import STORAGE_SRID, Address, Municipality

REQUIRED = ["kommunenummer", "adresseTekst", "nord", "øst", "EPSG-kode"]


@dataclass
class AddressReport:
    created: int = 0
    updated: int = 0

    def summary(self) -> str:
        return f"{self.created} addresses created, {self.updated} updated"


@transaction.atomic
def import_addresses(path: Path) -> AddressReport:
    """Upsert the addresses of the file by (municipality, text, postcode)."""
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AreaImportError(f"Could not read {path}: {exc}.") from exc
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=";")
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise AreaImportError(
            f"{Path(path).name} lacks the columns {', '.join(missing)} "
            "(a semicolon-separated Matrikkel address file is expected)."
        )
    municipalities = {m.code: m for m in Municipality.objects.all()}
    report = AddressReport()
    for line, row in enumerate(reader, start=2):
        municipality = municipalities.get(row["kommunenummer"].strip())
        if municipality is None:
            raise AreaImportError(
                f"Line {line}: municipality {row['kommunenummer']!r} is not in Nabolaget; "
                "import its boundary first."
            )
        try:
            point = Point(
                float(row["øst"]), float(row["nord"]), srid=int(row["EPSG-kode"])
            ).transform(STORAGE_SRID, clone=True)
        except (ValueError, TypeError, GEOSException, GDALException) as exc:
            raise AreaImportError(f"Line {line}: the coordinates cannot be read ({exc}).") from exc
        _, created = Address.objects.update_or_create(
            municipality=municipality,
            text=row["adresseTekst"].strip(),
            postcode=(row.get("postnummer") or "").strip(),
            defaults={"post_town": (row.get("poststed") or "").strip(), "point": point},
        )
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report
