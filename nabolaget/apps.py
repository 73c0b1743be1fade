from django.apps import AppConfig


class NabolagetConfig(AppConfig):
    """The project package, on top of every app: settings, root URLs, base templates,
    backups, the demo loader."""

    name = "nabolaget"
    verbose_name = "Nabolaget"
