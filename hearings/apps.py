from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    """Open hearings (høringer) on a case: who may answer, the answers (a kind of input in
    the feedback loop), the planner's summary by theme, and hearings that invite councils."""

    name = "hearings"
    verbose_name = _("Hearings")

    def ready(self) -> None:
        # The kind and the digest section are registered once the models are loaded.
        from hearings import registration  # noqa: F401
