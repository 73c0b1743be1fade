"""Residents' input: categories (and, as the product grows, priorities and submissions)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nabolaget.models import TranslatedName


class CategoryQuerySet(models.QuerySet):
    def for_municipality(self, code: str | None) -> CategoryQuerySet:
        """The default categories plus the municipality's own."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality__code=code))


class Category(TranslatedName):
    """A category of input (kategori), e.g. traffic safety. Default ones have no municipality."""

    slug = models.SlugField(_("slug"), max_length=50)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #1f77b4."))],
    )
    municipality = models.ForeignKey(
        "areas.Municipality",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("municipality"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "municipality"], name="category_unique_slug", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.name
