"""The priorities' filter, for the API's lists and the planner's pages alike: a bad value raises
Django's ValidationError naming the parameter (a 400 with problem details in the API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.api.filters import decimal_numbers
from areas.models import Area, AreaType, Municipality, kommunenummer_validator
from priorities.counts import PriorityCounts
from priorities.models import (
    MAX_SUPPORT,
    Category,
    Priority,
    Status,
    case_number_validator,
)

MAX_QUERY = 200


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); empty is "not given"; anything else is an error, where Django's
    NullBooleanField would quietly read it as "not given"."""

    widget = forms.TextInput

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text == "":
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(gettext_lazy("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def parse_bbox(value: str, name: str = "bbox") -> Polygon:
    """'minLon,minLat,maxLon,maxLat' in WGS 84 into a polygon, or a 400."""
    numbers = decimal_numbers(value)
    if numbers is None or len(numbers) != 4:
        raise ValidationError(
            {name: [_("Give four numbers: west,south,east,north (longitude, latitude).")]}
        )
    west, south, east, north = numbers
    if not all(v == v for v in (west, south, east, north)):
        raise ValidationError({name: [_("The bounding box must be numbers.")]})
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        raise ValidationError(
            {name: [_("The bounding box is outside the range of longitude and latitude.")]}
        )
    if west >= east or south >= north:
        raise ValidationError(
            {name: [_("The bounding box must have west < east and south < north.")]}
        )
    polygon = Polygon.from_bbox((west, south, east, north))
    polygon.srid = 4326
    return polygon


class PriorityFilter(django_filters.FilterSet):
    municipality = django_filters.CharFilter(
        method="filter_municipality",
        validators=[kommunenummer_validator],
        help_text=gettext_lazy("Kommunenummer (four digits)."),
    )
    area = django_filters.NumberFilter(method="filter_area", help_text="Area id.")
    area_type = django_filters.CharFilter(method="filter_area_type", help_text="Area type slug.")
    category = django_filters.CharFilter(method="filter_category", help_text="Category slug.")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    bbox = django_filters.CharFilter(
        method="filter_bbox", help_text="west,south,east,north in WGS 84."
    )
    since = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte")
    q = django_filters.CharFilter(
        method="filter_q", max_length=MAX_QUERY, help_text="Words to find in title and text."
    )
    min_support = django_filters.NumberFilter(
        method="filter_min_support",
        min_value=0,
        max_value=MAX_SUPPORT,
        help_text="At least this many supporters.",
    )
    answered = StrictBooleanFilter(
        method="filter_answered", help_text="true: has a public answer; false: has none."
    )
    case = django_filters.CharFilter(
        method="filter_case",
        validators=[case_number_validator],
        help_text="Case number, e.g. 2026/1234.",
    )

    class Meta:
        model = Priority

        fields = [
            "municipality",
            "area",
            "area_type",
            "category",
            "status",
            "bbox",
            "since",
            "until",
            "q",
            "min_support",
            "answered",
            "case",
        ]

    def filter_queryset(self, queryset):
        since, until = self.form.cleaned_data.get("since"), self.form.cleaned_data.get("until")
        if since and until and since > until:
            raise ValidationError({"until": [_("'until' must not be before 'since'.")]})
        return super().filter_queryset(queryset)

    def filter_municipality(self, queryset, name, value):
        # On the id column, not the code through a join: PostgreSQL then uses the column's
        # statistics and the (municipality, created_at) index, and estimates counts right.
        municipality_id = (
            Municipality.objects.filter(code=value).values_list("id", flat=True).first()
        )
        return queryset.filter(municipality_id=municipality_id if municipality_id else -1)

    def filter_area(self, queryset, name, value):

        area = Area.objects.filter(pk=value).first() if value < 2**62 else None
        if area is None:
            raise ValidationError({"area": [_("There is no area %(id)s.") % {"id": value}]})
        return queryset.in_area_tree(area)

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_min_support(self, queryset, name, value):
        if value != int(value):
            raise ValidationError({"min_support": [_("Give a whole number.")]})
        return queryset.min_support(int(value))

    def filter_answered(self, queryset, name, value):
        return queryset.answered(value)

    def filter_case(self, queryset, name, value):
        return queryset.in_case(value)

    def filter_area_type(self, queryset, name, value):
        if not AreaType.objects.filter(slug=value).exists():
            raise ValidationError(
                {"area_type": [_("Unknown area type '%(slug)s'.") % {"slug": value}]}
            )
        return queryset.in_area_type(value)

    def filter_category(self, queryset, name, value):
        if not Category.objects.filter(slug=value).exists():
            raise ValidationError(
                {"category": [_("Unknown category '%(slug)s'.") % {"slug": value}]}
            )
        return queryset.filter(category__slug=value)

    def filter_bbox(self, queryset, name, value):
        return queryset.in_bbox(parse_bbox(value))

    # --- Aggregates: priorities.counts decides between the rollup and the rows -----------

    @cached_property
    def counts(self) -> PriorityCounts:
        """The counts of what this filter selects (call after ``is_valid``)."""
        return PriorityCounts(self.form.cleaned_data, lambda: self.qs)

    def rollup_scope(self, area: Area | None = None) -> dict | None:
        """The rollup rows that hold exactly the counts for this filter (and ``area``'s
        tree), as arguments to ``matching``; None when only the rows can tell."""
        return self.counts.scope(area)

    def count(self) -> tuple[int, bool]:
        """How many priorities match, and whether exactly (``PriorityCounts.count``)."""
        return self.counts.count()

    def totals(self, area: Area | None = None) -> dict:
        """count, supports, answered and median_days (whole days to the first answer)."""
        return self.counts.totals(area)

    def by_category_and_status(self, area: Area | None = None) -> list[dict]:
        """Rows of category__slug, status, count."""
        return self.counts.by_category_and_status(area)

    def per_area(self, area_type: str) -> list[dict]:
        """The totals per area of one type: rows of area_id, count, supports, answered,
        median_days."""
        return self.counts.per_area(area_type)
