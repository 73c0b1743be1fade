from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    """Citizens' panels (borgerpaneler) on a case: a register extract, a stratified
    invitation lottery, the final selection among volunteers (sortition-algorithms),
    information beforehand, sessions (meetings), a follow-up survey, and the results in the
    case's digest."""

    name = "panels"
    verbose_name = _("Citizens' panels")

    def ready(self) -> None:
        from panels import registration  # noqa: F401, PLC0415 - registers the digest section
