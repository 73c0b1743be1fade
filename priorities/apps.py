from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = _("Priorities")

    def ready(self) -> None:
        from areas.signals import areas_changed
        from priorities.services import priorities_relocate

        def relocate(sender, area_ids, area_type_id, **kwargs):
            priorities_relocate(area_ids=area_ids, area_type_id=area_type_id)

        areas_changed.connect(relocate, weak=False, dispatch_uid="priorities_relocate")
