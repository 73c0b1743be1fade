"""``migrate`` as the owner role: the web role may not change the schema.

Django's own command, with ``--database`` defaulting to the ``owner`` alias (the role that
owns the tables; README, "Use your own PostGIS"), so ``manage.py migrate`` works as before.

It refuses a database made before the apps were layered (December 2026), whose migration
history names migrations that no longer exist: those were replaced by new initial ones
(README, "Layout"), and migrating such a database would try to create its tables again.
"""

from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

PROJECT_APPS = {"core", "areas", "accounts", "priorities", "cases", "councils", "nabolaget"}


class Command(migrate.Command):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        recorder = MigrationRecorder(connection)
        if recorder.has_table():
            on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
            gone = sorted(
                f"{app}.{name}"
                for app, name in recorder.applied_migrations()
                if app in PROJECT_APPS and (app, name) not in on_disk
            )
            if gone:
                raise CommandError(
                    f"The database {connection.settings_dict['NAME']} was made by an earlier "
                    "version of Nabolaget, before its apps were layered and their migrations "
                    f"made anew ({', '.join(gone[:3])} …). Keep what it holds with "
                    "`make backup`, then start a fresh database: `make clean` and `make run`."
                )
        return super().handle(*args, **options)
