"""Numbers of the comparison of participants with the population, per language: shares as
percentages, counts with the language's grouping, withheld counts said in words."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share (0 to 1) as a percentage with one decimal, in the language's form."""
    if value is None:
        return "–"
    return f"{formats.number_format(value * 100, 1)} %"


@register.filter
def count(value) -> str:
    """A count with the language's thousands grouping, or "fewer than 5" when withheld."""
    if value is None:
        return _("fewer than 5")
    return formats.number_format(value, 0, force_grouping=True)


@register.filter
def decimal(value) -> str:
    """A rate with one decimal in the language's form; a dash when there is none."""
    if value is None:
        return "–"
    return formats.number_format(value, 1)
