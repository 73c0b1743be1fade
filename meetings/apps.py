from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Public meetings, workshops and walks, the input gathered there (a kind of input in
    the feedback loop), and the calendar of upcoming meetings with its iCalendar feeds."""

    name = "meetings"
    verbose_name = _("Meetings and workshops")

    def ready(self) -> None:
        # The kind registration, once the models are loaded.
        from meetings import registration  # noqa: F401
