from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = _("Priorities")

    def ready(self) -> None:
        # The kind registration and the signal handlers, once the models are loaded.
        from priorities import registration  # noqa: F401
