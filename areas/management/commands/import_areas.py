"""Import areas from GeoJSON, Shapefile or GeoPackage (zipped or not) through GDAL."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from areas.importers import AreaImportError, ImportOptions, import_areas


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--valid-from must be a date like 2024-01-01, not '{value}'.") from exc


class Command(BaseCommand):
    help = (
        "Import areas from a file (GeoJSON, Geonorge Basisdata GeoJSON, Shapefile, GeoPackage, "
        "or any of them in a .zip). Upserts by (type, code), repairs invalid polygons and "
        "reports each repair; applies all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The file to import.")
        parser.add_argument("--type", required=True, dest="type_slug", help="Area type slug.")
        parser.add_argument("--code-field", required=True, help="Field with the area's code.")
        parser.add_argument("--name-field", required=True, help="Field with the area's name.")
        parser.add_argument("--layer", help="Layer to read, when the file has several.")
        parser.add_argument("--municipality", help="Kommunenummer the areas belong to.")
        parser.add_argument("--srid", type=int, help="SRID of the file, when it names none.")
        parser.add_argument("--valid-from", type=_date, help="First day the areas are in force.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )

    def handle(self, *args, **options) -> None:
        import_options = ImportOptions(
            path=options["path"],
            type_slug=options["type_slug"],
            code_field=options["code_field"],
            name_field=options["name_field"],
            layer=options["layer"],
            municipality=options["municipality"],
            srid=options["srid"],
            valid_from=options["valid_from"],
            dry_run=options["dry_run"],
        )
        show_bar = sys.stderr.isatty() and options["verbosity"] > 0

        def progress(rows):
            return tqdm(rows, desc="Reading features", unit=" features", disable=not show_bar)

        try:
            report = import_areas(import_options, progress=progress)
        except AreaImportError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        if options["verbosity"] > 0:
            for repair in report.repairs:
                self.stdout.write(self.style.WARNING(str(repair)))
        self.stdout.write(self.style.SUCCESS(report.summary()))
