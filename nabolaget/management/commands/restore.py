"""Restore a backup into a fresh database: restore FOLDER [--database NAME] [--replace]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from nabolaget.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup`: checks its checksums, restores the database "
        "into a fresh database (refusing a non-empty one unless --replace) and the uploaded "
        "files into MEDIA_ROOT, then checks every file against the manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="A folder backups/<timestamp>/.")
        parser.add_argument(
            "--database", help="Database to restore into (default: the configured one)."
        )
        parser.add_argument("--media-root", help="Folder for the files (default: MEDIA_ROOT).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Drop a non-empty database and empty a non-empty media folder first.",
        )

    @no_translations
    def handle(self, *args, **options) -> None:
        try:
            report = backup_restore(
                Path(options["folder"]),
                database=options["database"],
                media_root=Path(options["media_root"]) if options["media_root"] else None,
                replace=options["replace"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.problems:
            raise CommandError("Restored with problems:\n" + "\n".join(report.problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored into {report.database}: {report.tables} tables, {report.files} files, "
                "every file matches its checksum."
            )
        )
