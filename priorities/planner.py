"""The planner's workspace: query by area with a map and a table, answer in bulk, merge, export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from areas.models import Area, Municipality
from core.db import BadCursor, keyset_page, sort_beats_walk
from priorities import exports, kinds, services
from priorities.filters import PriorityFilter
from priorities.forms import BulkAnswerForm, PlannerFilterForm
from priorities.models import Export, Priority

PLANNER_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)
PAGE_SIZE = 50
# "Answer all that match the filter": more than this is refused (narrow the filter); the
# answer is set-based, but each resident still gets an e-mail.
BULK_MAX = 5_000
ORDERS = {
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    "support": ("support_count", True),
}
# Query parameters that are filters (kept in links, exports and the API calls of the map).
FILTER_KEYS = (
    "q",
    "area",
    "area_type",
    "category",
    "status",
    "answered",
    "min_support",
    "since",
    "until",
    "case",
)


def planner_municipality(request) -> Municipality:
    """The municipality the planner works in (?municipality=NNNN when they have several)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    allowed = request.user.staff_municipality_ids(*PLANNER_ROLES)
    if not allowed:
        raise PermissionDenied(_("The planner workspace is for the municipality's planners."))
    code = request.GET.get("municipality") or request.POST.get("municipality")
    municipalities = Municipality.objects.filter(pk__in=allowed)
    if code:
        municipality = municipalities.filter(code=code).first()
        if municipality is None:
            raise PermissionDenied(
                _("You are not a planner in municipality %(code)s.") % {"code": code[:4]}
            )
        return municipality
    return municipalities.order_by("code").first()


def _labelled_errors(form, errors: dict) -> list[tuple[str, list[str]]]:
    """The filter's errors with each field's label in the planner's language (the form and
    the FilterSet name their fields by the query parameters: "since", "min_support")."""
    labelled = []
    for name, messages_ in errors.items():
        field = form.fields.get(name)
        labelled.append((str(field.label) if field is not None else "", list(messages_)))
    return labelled


def _filter_query(params) -> dict:
    return {key: params[key] for key in FILTER_KEYS if params.get(key) not in (None, "")}


def _filtered(request, municipality, params: QueryDict | None = None):
    """The filtered priorities, through the same FilterSet as the API (one mechanism): the
    page's query string, or ``params`` (the query the answer form sends back)."""
    params = (request.GET if params is None else params).copy()
    params["municipality"] = municipality.code
    params.pop("area_type", None)  # the map's area type chooses the choropleth, not rows
    filterset = PriorityFilter(params, queryset=Priority.public_objects.all(), request=request)
    return filterset


@login_required
def workspace(request):
    """Map and table side by side, driven by the same filters, with counts per area."""
    municipality = planner_municipality(request)
    area_type = request.GET.get("area_type") or "skolekrets"
    form = PlannerFilterForm(
        request.GET or None, municipality=municipality, initial={"area_type": area_type}
    )

    filterset = _filtered(request, municipality)
    context = {
        "municipality": municipality,
        "form": form,
        "area_type": area_type,
        "query": urlencode(_filter_query(request.GET)),
        # The map's points and clusters: the rows' filter (the area type only shades areas).
        "map_query": urlencode(
            {k: v for k, v in _filter_query(request.GET).items() if k != "area_type"}
        ),
        "answer_form": BulkAnswerForm(municipality=municipality),
    }
    errors = {}
    try:
        valid = filterset.is_valid() and (not request.GET or form.is_valid())
        queryset = filterset.qs if valid else None
    except ValidationError as exc:
        valid, queryset, errors = False, None, exc.message_dict
    if not valid:
        # By parameter name (what the API calls them), and as the page says them.
        context["filter_errors"] = {**dict(filterset.errors), **dict(form.errors), **errors}
        context["filter_messages"] = _labelled_errors(form, context["filter_errors"])
        return render(request, "priorities/planner.html", context, status=400)
    field, descending = ORDERS.get(request.GET.get("order") or "newest", ORDERS["newest"])
    count, exact = filterset.count()
    try:
        rows, next_cursor, _previous = keyset_page(
            queryset.select_related("category").defer("search_vector"),
            field=field,
            descending=descending,
            after=request.GET.get("after"),
            size=PAGE_SIZE,
            few=sort_beats_walk(queryset, count, exact, PAGE_SIZE),
        )
    except BadCursor:
        return HttpResponseBadRequest(_("This page link is not valid."))
    areas = {
        a.pk: a
        for a in Area.objects.in_force()
        .in_municipality(municipality.code)
        .of_type(area_type)
        .defer("geom")
    }
    by_area = []
    for row in filterset.per_area(area_type):
        area = areas.get(row["area_id"])
        if area:
            by_area.append(
                {
                    **row,
                    "area": area,
                    "share": row["answered"] / row["count"] if row["count"] else None,
                }
            )
    sort = request.GET.get("area_sort", "count")
    if sort in {"count", "supports", "share", "median_days"}:
        by_area.sort(key=lambda r: (r[sort] is None, -(r[sort] or 0)))
    else:
        by_area.sort(key=lambda r: r["area"].name)
    next_params = request.GET.copy()
    next_params["after"] = next_cursor or ""
    area_id = request.GET.get("area", "")
    status = request.GET.get("status")

    def same_filter(records):
        records = records.filter(municipality=municipality)
        if area_id.isdigit():
            records = records.filter(areas=area_id)
        return records.filter(status=status) if status else records

    context.update(
        other_inputs=kinds.listed_sections(same_filter, 20),
        rows=rows,
        count=count,
        count_exact=exact,
        next_url=f"?{next_params.urlencode()}" if next_cursor else None,
        by_area=by_area,
        area_sort=sort,
        totals=filterset.totals(),
    )
    return render(request, "priorities/planner.html", context)


def _selected(request, municipality) -> list[Priority]:
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    return list(Priority.all_objects.filter(pk__in=ids, municipality=municipality))


def _all_matching(request, municipality) -> list[Priority] | None:
    """Every priority the workspace's filter (sent back as ``query``) matches, read through
    the same FilterSet as the page; None when the filter is not valid."""
    filterset = _filtered(request, municipality, QueryDict(request.POST.get("query", "")))
    try:
        if not filterset.is_valid():
            return None
        return list(filterset.qs.order_by("pk")[: BULK_MAX + 1])
    except ValidationError:
        return None


@require_POST
@login_required
def answer(request):
    """Answer the selected priorities at once; each resident gets one e-mail."""
    municipality = planner_municipality(request)
    back = f"/planner/?{request.POST.get('query', '')}"
    form = BulkAnswerForm(request.POST, municipality=municipality)
    if request.POST.get("all_matching") == "1":
        records = _all_matching(request, municipality)
        if records is None:
            messages.error(request, _("The filter is not valid; show the priorities again."))
            return redirect(back)
        if len(records) > BULK_MAX:
            messages.error(
                request,
                _("At most %(n)s priorities can be answered at once: narrow the filter.")
                % {"n": BULK_MAX},
            )
            return redirect(back)
    else:
        records = _selected(request, municipality)
    if not records:
        messages.error(request, _("Choose at least one priority in the table."))
        return redirect(back)
    if not form.is_valid():
        # Said after the redirect, where the form is empty again: each error names its field.
        messages.error(
            request,
            " ".join(
                f"{form[name].label}: {error}" if name in form.fields else str(error)
                for name, errors in form.errors.items()
                for error in errors
            ),
        )
        return redirect(back)
    data = form.cleaned_data
    try:
        services.input_set_status(
            records=records,
            status=data["status"],
            public_text=data["public_text"],
            case_number=data.get("case_number", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request, _("%(n)s priorities answered. The residents will be told.") % {"n": len(records)}
    )
    return redirect(back)


@require_POST
@login_required
def merge(request):
    """Merge the selected priorities into the one chosen as the target."""
    municipality = planner_municipality(request)
    back = f"/planner/?{request.POST.get('query', '')}"
    records = _selected(request, municipality)
    target = next((r for r in records if str(r.pk) == request.POST.get("target")), None)
    if target is None or len(records) < 2:
        messages.error(request, _("Choose two or more priorities, and which one to keep."))
        return redirect(back)
    try:
        services.priority_merge(target=target, duplicates=records, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Merged into %(ref)s.") % {"ref": target.reference})
    return redirect(back)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


@login_required
def export(request):
    """Export what the planner sees; large exports go to the background queue."""
    municipality = planner_municipality(request)
    filterset = _filtered(request, municipality)
    try:
        if not filterset.is_valid():
            return HttpResponseBadRequest(_("The filter is not valid."))
        filterset.qs  # noqa: B018 - raises the FilterSet's own ValidationError
    except ValidationError:
        return HttpResponseBadRequest(_("The filter is not valid."))
    query = _filter_query(request.GET)
    try:
        job, queryset = services.export_start(
            user=request.user,
            municipality=municipality,
            format=request.GET.get("format", ""),
            query=query,
            include_personal_data=request.GET.get("personal") == "1",
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if queryset is None:
        return redirect("priorities:export_status", pk=job.pk)
    query = QueryDict(job.query).dict()
    name = exports.file_name(municipality, query, job.format)
    rows = exports.export_rows(queryset, include_personal_data=job.include_personal_data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        exports.write_file(
            job.format, rows, path, query=query, include_personal_data=job.include_personal_data
        )
        # An open file outlives its name: the folder goes now, the data when the response ends.
        handle = path.open("rb")
    return FileResponse(
        handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format]
    )


@login_required
def export_status(request, pk: int):
    """A background export: its progress, then the download."""
    job = get_object_or_404(Export, pk=pk, user=request.user)
    if request.GET.get("download") == "1":
        if job.state != Export.State.DONE or not job.file:
            raise Http404
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
    if request.headers.get("accept") == "application/json":
        return JsonResponse({"state": job.state, "progress": job.progress, "rows": job.rows})
    return render(request, "priorities/export_status.html", {"job": job})
