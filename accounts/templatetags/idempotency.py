"""``{% idempotency_field %}``: the hidden key of a form that makes a record, new at each
rendering, so that sending the form twice makes one record (accounts.idempotency)."""

from django import template
from django.utils.html import format_html

from accounts.idempotency import FORM_FIELD, form_key

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, form_key())
