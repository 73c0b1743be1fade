from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """The budget and economic plan (budsjett og økonomiplan) of a budget case: imported
    versions side by side, shown simply, and budget rounds in which residents and
    associations give input through the one feedback loop."""

    name = "budgets"
    verbose_name = _("Budgets")

    def ready(self) -> None:
        # The kind of input and the digest section are registered once the models are loaded.
        from budgets import registration  # noqa: F401
