"""``{% load budgets %}``: amounts and percentages in the active language (budgets/numbers.py)."""

from django import template

from budgets import numbers

register = template.Library()


@register.filter
def kroner(amount):
    return numbers.kroner(amount)


@register.filter
def kroner_change(amount):
    return numbers.kroner(amount, sign=True)


@register.filter
def percent(value):
    return numbers.percent(value)


@register.filter
def percent_change(value):
    return numbers.percent(value, sign=True)


@register.filter
def grouped(value):
    """A whole number with the language's thousands separator (``53 000`` in nb)."""
    return numbers.grouped(value)
