"""Amounts as each language writes them: ``1 234 567 kr`` in Bokmål and Nynorsk (a
non-breaking space between the thousands), ``NOK 1,234,567`` in English; through Django's
number formatting for the active language, so the separators are the locale's."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format


def _english() -> bool:
    return (translation.get_language() or "nb").startswith("en")


def kroner(amount, *, sign: bool = False) -> str:
    """Whole kroner with the thousands grouped, e.g. ``1 234 567 kr``."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(Decimal(1))
    text = number_format(abs(value), decimal_pos=0, force_grouping=True)
    prefix = "−" if value < 0 else ("+" if sign and value > 0 else "")
    if _english():
        return f"{prefix}NOK\u00a0{text}"
    return f"{prefix}{text}\u00a0kr"


def millions(amount) -> str:
    """Millions with one decimal, for chart labels: ``123,4 mill. kr``."""
    value = Decimal(amount) / Decimal(1_000_000)
    prefix = "−" if value < 0 else ""
    text = number_format(abs(value), decimal_pos=1, force_grouping=True)
    if _english():
        return f"{prefix}NOK\u00a0{text}\u00a0m"
    return f"{prefix}{text}\u00a0mill.\u00a0kr"


def percent(value, *, sign: bool = False) -> str:
    if value is None:
        return ""
    text = number_format(abs(value), decimal_pos=1)
    prefix = "−" if value < 0 else ("+" if sign and value > 0 else "")
    return f"{prefix}{text}\u00a0%"


def grouped(value) -> str:
    if value is None:
        return ""
    return number_format(value, decimal_pos=0, force_grouping=True)
