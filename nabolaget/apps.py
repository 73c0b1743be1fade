from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ignore_function_install(sender, using, **kwargs) -> None:
    from nabolaget.history import ignore_function_install

    ignore_function_install(using)


class NabolagetConfig(AppConfig):
    name = "nabolaget"
    verbose_name = "Nabolaget"

    def ready(self) -> None:
        # Every migrate that installs a trigger puts pgtrigger's own ignore function back;
        # the owner-only one replaces it after each (nabolaget/history.py).
        post_migrate.connect(_ignore_function_install, sender=self)
