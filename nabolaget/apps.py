from django.apps import AppConfig
from django.db.models.signals import post_migrate

from nabolaget import gdal


def _ignore_function_install(sender, using, **kwargs) -> None:
    # Imported here: nabolaget.history needs the models, which are not loaded when the
    # app configs are imported.
    from nabolaget.history import ignore_function_install

    ignore_function_install(using)


class NabolagetConfig(AppConfig):
    name = "nabolaget"
    verbose_name = "Nabolaget"

    def ready(self) -> None:
        # Before any request or command can hand GDAL a file: three drivers, no network.
        gdal.configure()
        # Every migrate that installs a trigger puts pgtrigger's own ignore function back;
        # the owner-only one replaces it after each (nabolaget/history.py).
        post_migrate.connect(_ignore_function_install, sender=self)
