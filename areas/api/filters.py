"""Query parameters of the area endpoints. Bad values raise a 400 with a message."""

from __future__ import annotations

import math
import re

import django_filters
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Value
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from areas.geo import lon_lat_point
from areas.models import Area, AreaType, kommunenummer_validator
from areas.querysets import AreaQuerySet
from core.api import refuse_repeated_parameters
from core.text import normalise_text

MAX_SIMPLIFY_METRES = 10_000

# A decimal number as people and programs write one; not Python's wider float() syntax
# (which takes "nan", "inf", "1_000" and surrounding whitespace).
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")


def decimal_numbers(value: str) -> list[float] | None:
    """The comma-separated finite decimal numbers in the value, or None if any is not one."""
    parts = value.split(",")
    if not all(DECIMAL.fullmatch(p) for p in parts):
        return None
    numbers = [float(p) for p in parts]
    return numbers if all(math.isfinite(n) for n in numbers) else None


def parse_lon_lat(value: str, name: str) -> Point:
    """Parse 'LON,LAT' in WGS 84 (RFC 7946 order) into a Point, or raise a 400."""
    parts = value.split(",")
    if len(parts) != 2:
        raise ValidationError(
            {name: [_("Give longitude and latitude separated by a comma, e.g. 14.40,67.28.")]}
        )
    numbers = decimal_numbers(value)
    if numbers is None:
        raise ValidationError({name: [_("Longitude and latitude must be numbers.")]})
    return lon_lat_point(*numbers, field=name)


class AreaFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(method="filter_type", help_text="Area type slug.")
    municipality = django_filters.CharFilter(
        method="filter_municipality",
        validators=[kommunenummer_validator],
        help_text="Kommunenummer (four digits).",
    )
    contains = django_filters.CharFilter(
        method="filter_contains",
        help_text="LON,LAT in WGS 84: the areas in force covering the point, one per type.",
    )

    class Meta:
        model = Area
        fields = ["type", "municipality", "contains"]

    @classmethod
    def contains_point(cls, params) -> Point | None:
        """The point of ``?contains=`` cleaned and parsed as filtering by it does (the same
        400 for a bad one), without building the FilterSet; None when it is empty."""
        try:
            value = cls.base_filters["contains"].field.clean(params.get("contains"))
        except DjangoValidationError as exc:
            raise ValidationError({"contains": exc.messages}) from exc
        return parse_lon_lat(value, "contains") if value else None

    def filter_type(self, queryset: AreaQuerySet, name: str, value: str) -> AreaQuerySet:
        if not AreaType.objects.filter(slug=value).exists():
            known = ", ".join(AreaType.objects.values_list("slug", flat=True))
            raise ValidationError(
                {
                    "type": [
                        _("Unknown area type '%(slug)s'. Known types: %(known)s.")
                        % {"slug": value, "known": known}
                    ]
                }
            )
        return queryset.of_type(value)

    def filter_municipality(self, queryset: AreaQuerySet, name: str, value: str) -> AreaQuerySet:
        return queryset.in_municipality(value)

    def filter_contains(self, queryset: AreaQuerySet, name: str, value: str) -> AreaQuerySet:
        return queryset.covering(parse_lon_lat(value, "contains"))


class AreaGeometryBackend(BaseFilterBackend):
    """``?geometry=`` and ``?simplify=`` of the area endpoints: whether an area's geometry is
    sent (false: null, for fast lookups) and to what tolerance it is simplified (metres).
    Checked before the other filters, also when the geometry is left out."""

    PARAMETERS = [
        OpenApiParameter(
            "simplify",
            {"type": "number", "minimum": 0, "maximum": MAX_SIMPLIFY_METRES},
            description=(
                f"Simplify the geometry to this tolerance in metres (0–{MAX_SIMPLIFY_METRES})."
            ),
        ),
        OpenApiParameter(
            "geometry",
            OpenApiTypes.BOOL,
            description="false leaves the geometry out (null), for fast lookups.",
        ),
    ]

    @staticmethod
    def parse(request) -> tuple[bool, float | None]:
        """(whether the geometry is wanted, the simplification), or a 400 naming the bad
        parameter: a repeated one first, then ``simplify``, then ``geometry``."""
        refuse_repeated_parameters(request, ["geometry", "simplify", "contains"])
        simplify = AreaGeometryBackend._simplify(request.query_params.get("simplify"))
        value = (request.query_params.get("geometry") or "true").lower()
        if value not in {"true", "false", "1", "0"}:
            raise ValidationError({"geometry": [_("Use true or false.")]})
        return value in {"true", "1"}, simplify

    @staticmethod
    def _simplify(value: str | None) -> float | None:
        if value in (None, ""):
            return None
        try:
            metres = float(value)
        except ValueError as exc:
            raise ValidationError({"simplify": [_("Give a tolerance in metres.")]}) from exc
        if not 0 <= metres <= MAX_SIMPLIFY_METRES:
            raise ValidationError(
                {
                    "simplify": [
                        _("The tolerance must be between 0 and %(max)s metres.")
                        % {"max": MAX_SIMPLIFY_METRES}
                    ]
                }
            )
        return metres or None

    def filter_queryset(self, request, queryset, view):
        wanted, simplify = self.parse(request)
        if not wanted:
            return queryset.defer("geom").annotate(
                api_geom=Value(None, output_field=GeometryField(srid=4326))
            )
        return queryset.with_api_geometry(simplify)

    def get_schema_operation_parameters(self, view):
        """The two parameters in the list's schema (drf-spectacular asks filter backends on
        lists only: one area's operation names ``PARAMETERS`` itself)."""
        return [
            {
                "name": "simplify",
                "required": False,
                "in": "query",
                "description": self.PARAMETERS[0].description,
                "schema": self.PARAMETERS[0].type,
            },
            {
                "name": "geometry",
                "required": False,
                "in": "query",
                "description": self.PARAMETERS[1].description,
                "schema": {"type": "boolean"},
            },
        ]


# The longest search text taken: an address is at most 200 characters (Address.text).
MAX_ADDRESS_QUERY = 200
# Fewer characters than this give no suggestions (too many addresses start with one letter).
MIN_ADDRESS_QUERY = 2


class AddressSearchBackend(BaseFilterBackend):
    """``?q=`` (what has been typed) and ``?municipality=`` of the address suggestions.
    A blank or one-letter ``q`` suggests nothing (an empty list); a ``q`` too long or
    repeated is a 400 in the request's language."""

    def filter_queryset(self, request, queryset, view):
        refuse_repeated_parameters(request, ["q", "municipality"])
        params = request.query_params
        text = params.get("q") or ""
        if len(text) > MAX_ADDRESS_QUERY:
            raise ValidationError(
                {
                    "q": [
                        _("Type at most %(n)s characters of the address.")
                        % {"n": MAX_ADDRESS_QUERY}
                    ]
                }
            )
        # As every typed text: NFC, nothing invisible, control characters read as spaces.
        text = normalise_text(text)
        code = (params.get("municipality") or "").strip()
        if code:
            try:
                kommunenummer_validator(code)
            except DjangoValidationError as exc:
                raise ValidationError({"municipality": exc.messages}) from exc
            queryset = queryset.filter(municipality__code=code)
        if len(text.strip()) < MIN_ADDRESS_QUERY:
            return queryset.none()
        return queryset.suggest(text)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "q",
                "required": False,
                "in": "query",
                "description": (
                    "What has been typed of the address (at most "
                    f"{MAX_ADDRESS_QUERY} characters; fewer than {MIN_ADDRESS_QUERY}, or "
                    "none, suggest nothing)."
                ),
                "schema": {"type": "string", "maxLength": MAX_ADDRESS_QUERY},
            },
            {
                "name": "municipality",
                "required": False,
                "in": "query",
                "description": "Kommunenummer (four digits): only this municipality's addresses.",
                "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
            },
        ]
