"""``{% map_texts %}``: the map controls' texts in the page's language, as a JSON script
element (id ``map-texts``) that static/js/area-map.js reads (areas.maptexts)."""

from django import template
from django.utils.html import json_script

from areas.maptexts import map_texts as texts

register = template.Library()


@register.simple_tag
def map_texts() -> str:
    return json_script(texts(), "map-texts")
