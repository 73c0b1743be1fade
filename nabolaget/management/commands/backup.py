"""Back up the database and the uploaded files: backup [--target backups]."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from nabolaget.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a pg_dump (custom format) of the database, a tar of MEDIA_ROOT and a manifest "
        "of SHA-256 checksums into a new folder backups/<timestamp>/."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--target",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder to put the backup in (default: backups/ in the project).",
        )

    @no_translations
    def handle(self, *args, **options) -> None:
        try:
            folder = backup_create(Path(options["target"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
