from django.apps import AppConfig
from django.db.models.signals import post_migrate

from core import gdal


def _ignore_function_install(sender, using, **kwargs) -> None:
    # Imported when called: core.history reads pgtrigger's models, which are not loaded
    # when the app configs are imported.
    from core.history import ignore_function_install

    ignore_function_install(using)


class CoreConfig(AppConfig):
    """What every app shares: normalised text, the record's triggers and history, GDAL
    opened safely, problem details, API pagination, CSV. Imports no other app."""

    name = "core"
    verbose_name = "Nabolaget core"

    def ready(self) -> None:
        # Before any request or command can hand GDAL a file: three drivers, no network.
        gdal.configure()
        # Every migrate that installs a trigger puts pgtrigger's own ignore function back;
        # the owner-only one replaces it after each (core/history.py).
        post_migrate.connect(_ignore_function_install, sender=self)
