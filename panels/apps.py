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
        # Part A: what closing an account does with the panels' relations to it.
        # Part B: the panels' section of a case's digest (and its close policies).
        from panels import privacy, registration  # noqa: F401
