from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Accounts, staff roles per municipality, privacy (download, closing, retention),
    log-in (allauth, ID-porten), rate limits and idempotency keys."""

    name = "accounts"
    verbose_name = _("Accounts")
