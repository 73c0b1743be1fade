from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # What closing an account does with the cases' records, once the models are loaded.
        from cases import registration  # noqa: F401
