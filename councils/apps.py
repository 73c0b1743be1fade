from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    """Local councils, their members and secretaries, their submissions (a kind of input in
    the feedback loop) and the requests to them for statements on cases."""

    name = "councils"
    verbose_name = _("Local councils")

    def ready(self) -> None:
        # The kind registration, once the models are loaded.
        from councils import registration  # noqa: F401
