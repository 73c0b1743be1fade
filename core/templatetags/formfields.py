"""What a form field's template needs beyond Django's own: the files chosen in a post that
was refused, so the page can name them (a browser never keeps a file input's choice)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def chosen_files(field) -> list[str]:
    """The names of the files posted in this field, when its form was refused: a file input
    comes back empty, so the person is told which file to choose again."""
    form = field.form
    if not form.is_bound or not form.errors or not form.files:
        return []
    return [upload.name for upload in form.files.getlist(field.html_name) if upload]
