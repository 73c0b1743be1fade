"""Pieces shared by the apps' models."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """A name in the three interface languages; ``name`` gives the active one."""

    name_nb = models.CharField(_("name (Bokmål)"), max_length=100)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Bokmål."""
        language = (get_language() or "nb")[:2]
        return getattr(self, f"name_{language}", "") or self.name_nb
