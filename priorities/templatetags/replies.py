"""``{% reply_thread record as r %}``: what ``priorities/_replies.html`` shows for a record
of any kind with replies, read for the account viewing the page. A record's page needs
only ``{% reply_thread record as r %}{% include "priorities/_replies.html" %}``."""

from django import template

from priorities.views import replies_context

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_thread(context, record) -> dict:
    return replies_context(context["request"].user, record)
