"""Shared pieces of the REST API."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_gis.pagination import GeoJsonPagination

from core import problems


def refuse_repeated_parameters(request, names) -> None:
    """A 400 naming a single-valued query parameter given more than once (QueryDict would
    quietly take the last one)."""
    for name in names:
        if len(request.query_params.getlist(name)) > 1:
            raise ValidationError({name: [_("Give this parameter once.")]})


class FeatureCollectionPageSchema:
    """A page that is a GeoJSON FeatureCollection with count/next/previous beside the
    features (what GeoJsonPagination and our own pages send), described as such."""

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "properties": {"count": {"type": "integer"}, "next": link, "previous": link},
                },
            ]
        }


class StrictPageNumberPagination(PageNumberPagination):
    """Page numbers that are not positive integers are a 400, not a silent page 1 or a 404."""

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param) or "1"
        if value == "last":
            return value
        if not value.isdigit() or int(value) < 1:
            raise ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param or "", "")
        if (
            self.page_size_query_param
            and value
            and (not value.isdigit() or not 1 <= int(value) <= self.max_page_size)
        ):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("The page size must be between 1 and %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)


class FeatureCollectionPagination(
    FeatureCollectionPageSchema, StrictPageNumberPagination, GeoJsonPagination
):
    """drf-gis' GeoJSON pages (a FeatureCollection with count, next and previous), with
    strict page numbers and sizes (50 by default, at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, answering with problem details (core.problems): bad input as
    ``errors`` beside a ``detail`` that joins their messages, other refusals with DRF's
    message as ``detail``; and a message a person understands when a rate limit is hit.

    A service's Django ValidationError is bad input like a serializer's (400, the same
    fields and messages), and its PermissionDenied a 403 with the service's message (DRF's
    own handler would answer its generic one), so views call services directly."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = PermissionDenied(str(exc))
    if isinstance(exc, Throttled):
        wait = int(exc.wait or 0) + 1
        exc.detail = _(
            "You have done this too often. Please wait %(seconds)s seconds and try again."
        ) % {"seconds": wait}
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API exception: Django's handler500 answers
    if isinstance(exc, ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = problems.problem(response.status_code, errors=errors)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = problems.problem(response.status_code, detail)
    response.content_type = problems.MEDIA_TYPE
    return response


class StrictOrderingFilter(OrderingFilter):
    """?ordering= with a 400 for a field that cannot be ordered by (DRF ignores it silently)."""

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param)
        if value:
            allowed = {f for f in view.ordering_fields} | {f"-{f}" for f in view.ordering_fields}
            wanted = value.split(",")
            bad = [term for term in wanted if term not in allowed]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Order by one of: %(fields)s.")
                            % {"fields": ", ".join(sorted(allowed))}
                        ]
                    }
                )
            # Ties are broken by id in the direction of the first term (as keyset pages do).
            return [*wanted, "-id" if wanted[0].startswith("-") else "id"]

        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view):
        """The terms the view orders by, as a pattern (a comma-separated list of them)."""
        term = "-?({})".format("|".join(sorted(view.ordering_fields)))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description),
                "schema": {"type": "string", "pattern": f"^{term}(,{term})*$"},
            }
        ]


# Four comma-separated decimal numbers (areas.api.filters.DECIMAL), what parse_bbox reads.
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
# What the filters' parsers and validators accept, for the query parameters of these names
# (drf-spectacular describes a CharFilter or NumberFilter by its type alone).
PARAMETER_SCHEMAS = {
    "bbox": {"pattern": BBOX_PATTERN},
    "contains": {"pattern": rf"^{_NUMBER},{_NUMBER}$"},
    "case": {"pattern": r"^\d{4}/\d{1,7}$"},  # priorities.models' case number validator
    # A whole number of supporters (filter_min_support), within support_count's integer.
    "min_support": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, title and detail in the request's language; "
    "bad input adds errors: the fields (or parameters, or headers) at fault, each with its "
    "messages.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "enum": ["about:blank"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
}
PROBLEM_CONTENT = {problems.MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}
ERRORS = {
    "400": "Bad input: the fields (or parameters, or headers) at fault, each with messages.",
    "401": "The token or session is not valid.",
    "403": "Not allowed for this account (or not logged in).",
    "404": "No such object (or not visible to this account).",
    "413": "The request body is too large.",
    "415": "The request body's media type is not accepted.",
    "429": "Too many requests: wait the seconds in Retry-After.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers every operation can give,
    documented once here instead of on every view (400 for operations taking input, 404
    where a path names an object, 401 everywhere a token may be sent, 403/413/415/429 for
    writes); optional query parameters may be empty, which means the same as absent."""
    listing = result.get("paths", {}).get("/api/v1/priorities/", {}).get("get", {})
    filters = {p["name"]: p["schema"] for p in listing.get("parameters", [])}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = {"401"}
            if operation.get("parameters") or operation.get("requestBody"):
                codes.add("400")
            names = {p["name"] for p in operation.get("parameters", [])}
            if "{" in path or "page" in names:
                codes.add("404")  # no such object, or a page past the last
            if method != "get":
                codes |= {"400", "403", "429"}
            if operation.get("requestBody"):
                codes |= {"413", "415"}
            for parameter in operation.get("parameters", []):
                # django-filter and the views treat ?name= like a parameter left out.
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter.setdefault("allowEmptyValue", True)
                if path.endswith("/stats/") and parameter["name"] in filters:
                    # An area's stats take the priorities' filters: described as the list's.
                    parameter["schema"] = filters[parameter["name"]]
                if parameter["in"] == "query" and parameter["name"] in PARAMETER_SCHEMAS:
                    parameter["schema"] = {
                        **parameter["schema"],
                        **PARAMETER_SCHEMAS[parameter["name"]],
                    }
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(code, {"description": ERRORS[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    # Every refusal is problem details, also those a view documents itself.
                    response["content"] = PROBLEM_CONTENT
    _link_created_objects(result.get("paths", {}))
    return result


def _link_created_objects(paths: dict) -> None:
    """OpenAPI links from each create (POST on a collection, 201) to the operations on the
    object it made (``{id}`` below the collection), so that schemathesis' stateful phase
    goes on with the object: a new priority is read, supported, answered."""
    for path, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        if created is None or "{" in path:
            continue
        links = created.setdefault("links", {})
        for target, target_operations in paths.items():
            if not target.startswith(f"{path}{{id}}/"):
                continue
            for method, operation in target_operations.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                    }


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class URIField(serializers.CharField):
    """A stored web address as an RFC 3986 URI (an IRI's other characters percent-encoded,
    as a browser sends them), or null when there is none."""

    def to_representation(self, value):
        return iri_to_uri(value) if value else None


class NullableGeometryFeatureExtension(GeoFeatureModelSerializerExtension):
    """drf-spectacular describes a Feature's geometry from the model field alone; a geometry
    the serializer may leave out (``allow_null``, e.g. ?geometry=false) is nullable."""

    priority = 1

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        serializer = force_instance(self.target)
        if serializer.fields[serializer.Meta.geo_field].allow_null:
            geometry = schema["properties"]["geometry"]
            schema["properties"]["geometry"] = {**geometry, "nullable": True}
        return schema
