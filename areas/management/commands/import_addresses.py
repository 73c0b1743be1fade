"""Import an address list (Kartverket's Matrikkel address CSV) so residents can type an address."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.addresses import import_addresses
from areas.importers import AreaImportError


class Command(BaseCommand):
    help = "Import addresses from a semicolon-separated Matrikkel address CSV file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, **options) -> None:
        try:
            report = import_addresses(options["path"])
        except AreaImportError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
