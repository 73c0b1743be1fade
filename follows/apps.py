from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    """Following an area or a whole municipality: what a resident follows, the
    announcements the apps above make (a new hearing, meeting, case, answer in an area),
    their delivery by e-mail (at once, daily, weekly) and the Atom feed per area."""

    name = "follows"
    verbose_name = _("Following areas")

    def ready(self) -> None:
        # What closing an account does with its follows, once the models are loaded.
        from follows import registration  # noqa: F401
