"""Case pages: the councillor's list, the case with its map, layers and digest, the live and
frozen digests, the PDF, and the planners' forms. Thin: forms, services, templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.models import Role
from areas.models import Area, Municipality
from areas.population import MAX_BYTES, PopulationFileError, population_replace, read_counts
from cases import digests, representation, services
from cases.forms import (
    AreaAdjustForm,
    CaseForm,
    LayerForm,
    LinkForm,
    PeriodForm,
    PopulationForm,
)
from cases.layers import case_layers
from cases.models import Case, FrozenDigest
from core.forms import add_service_errors, refused_status
from priorities.planner import planner_municipality

READER_ROLES = (Role.COUNCILLOR, Role.PLANNER, Role.ADMINISTRATOR)
EDITOR_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)


def _is_editor(request, case: Case) -> bool:
    return request.user.is_authenticated and bool(
        request.user.staff_municipality_ids(*EDITOR_ROLES) & {case.municipality_id}
    )


@login_required
def case_list(request):
    """The councillor's (and planner's) upcoming cases, by meeting date."""
    allowed = request.user.staff_municipality_ids(*READER_ROLES)
    if not allowed:
        raise PermissionDenied(_("The case list is for councillors and planners."))
    cases = (
        Case.objects.filter(municipality_id__in=allowed)
        .upcoming()
        .select_related("municipality")
        .prefetch_related("frozen_digests")
    )
    undated = Case.objects.filter(municipality_id__in=allowed, meeting_date__isnull=True)
    return render(request, "cases/list.html", {"cases": cases, "undated": undated})


@login_required
@idempotent_form
def case_new(request):
    """A planner creates a case: details, a geometry drawn or uploaded, the area types."""
    municipality = planner_municipality(request)
    form = CaseForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user,
                municipality=municipality,
                number=data["number"],
                geometry=data["geom"],
                area_types=data["area_types"],
                buffer_metres=data["buffer_metres"] or 0,
                **{name: data[name] or "" for name in ("title", "summary", "body")},
                committee_name=data["committee_name"],
                meeting_date=data["meeting_date"],
                status=data["status"],
                archive_url=data["archive_url"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case was created."))
            return redirect(case)
    status = refused_status(form) if request.method == "POST" else 200
    return render(
        request,
        "cases/new.html",
        {"form": form, "municipality": municipality},
        status=status,
    )


def _case(pk: int) -> Case:
    return get_object_or_404(Case.objects.select_related("municipality"), pk=pk)


def case_detail(request, pk: int):
    """A case as councillors read it: what it is, a summary of what the people affected said
    (from the digest shown), its map with layers and the areas it affects, the digest (the
    latest frozen one by default, with a note when the live one has moved on), and the
    requests for statements. The planners' tools are on their own page (``case_manage``)."""
    case = _case(pk)
    frozen = case.frozen_digests.order_by("-version").first()
    moved_on = False
    live = None
    if frozen is not None:
        moved_on = digests.live_fingerprint(case, frozen) != frozen.fingerprint
    else:
        live = digests.case_digest(case)
    editor = _is_editor(request, case)
    context = {
        "case": case,
        "glance": frozen.data if frozen is not None else live,
        "lang": frozen.language
        if frozen is not None and frozen.language != translation.get_language()
        else "",
        "case_areas": case.case_areas.select_related("area__type"),
        "adjustments": case.area_adjustments.select_related("area"),
        "layers": case_layers(case),
        "frozen": frozen,
        "frozen_versions": case.frozen_digests.all(),
        "moved_on": moved_on,
        "live": live,
        "editor": editor,
        "consultations": case.consultations.prefetch_related("councils"),
    }
    return render(request, "cases/detail.html", context)


@login_required
def case_manage(request, pk: int, *, forms: dict | None = None, status: int = 200):
    """The planners' tools for a case: adjust its areas, link input, add layers, freeze the
    digest. A form posted with errors is shown here again with them."""
    case = _editor_case(request, pk)
    forms = forms or {}
    context = {
        "case": case,
        "case_areas": case.case_areas.select_related("area__type"),
        "adjust_form": forms.get("adjust") or AreaAdjustForm(case=case),
        "link_form": forms.get("link") or LinkForm(case=case),
        "layer_form": forms.get("layer") or LayerForm(),
        "freeze_form": forms.get("freeze") or PeriodForm(),
    }
    return render(request, "cases/manage.html", context, status=status)


def _editor_case(request, pk: int) -> Case:
    case = _case(pk)
    if not _is_editor(request, case):
        raise PermissionDenied(_("Only the municipality's planners may change a case."))
    return case


def _apply(request, case, form_key, form, action, *, then=None):
    """Run a service with a valid form, then go to ``then`` (the tools page by default); on
    errors show the tools page again with them."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(then or reverse("cases:manage", args=[case.pk]))
    return case_manage(request, case.pk, forms={form_key: form}, status=refused_status(form))


@login_required
@require_POST
def case_adjust_areas(request, pk: int):
    case = _editor_case(request, pk)
    form = AreaAdjustForm(request.POST, case=case)

    def action(data):
        services.case_area_adjust(
            actor=request.user,
            case=case,
            area=data["area"],
            action=data["action"],
            reason=data["reason"],
        )
        messages.success(request, _("The affected areas were adjusted."))

    return _apply(request, case, "adjust", form, action)


@login_required
@require_POST
def case_link(request, pk: int):
    case = _editor_case(request, pk)
    form = LinkForm(request.POST, case=case)

    def action(data):
        count = services.case_link_input(
            actor=request.user,
            case=case,
            records=data["records"],
            public_text=data["public_text"],
        )
        messages.success(
            request, _("%(n)s pieces of input were linked to the case.") % {"n": count}
        )

    return _apply(request, case, "link", form, action)


@login_required
@require_POST
def case_layer_add(request, pk: int):
    case = _editor_case(request, pk)
    form = LayerForm(request.POST, request.FILES)

    def action(data):
        services.case_layer_upload(
            actor=request.user, case=case, name=data["name"], upload=data["file"]
        )
        messages.success(request, _("The layer was added."))

    return _apply(request, case, "layer", form, action)


@login_required
@require_POST
@idempotent_form
def case_freeze(request, pk: int):
    case = _editor_case(request, pk)
    form = PeriodForm(request.POST)

    def action(data):
        frozen = services.digest_freeze(
            actor=request.user, case=case, since=data.get("since"), until=data.get("until")
        )
        messages.success(
            request,
            _("The digest was attached to the case as version %(v)s.") % {"v": frozen.version},
        )

    # The frozen digest is what the councillors read: show it where they read it.
    return _apply(request, case, "freeze", form, action, then=case.get_absolute_url())


def _period(request) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, {}
    data = form.cleaned_data if request.GET else {}
    return form, {"since": data.get("since"), "until": data.get("until")}


def case_digest(request, pk: int):
    """The live digest over a case's affected areas, for a chosen period."""
    case = _case(pk)
    form, period = _period(request)
    if form.errors:
        return render(request, "cases/digest.html", {"case": case, "form": form}, status=400)
    data = digests.case_digest(case, period.get("since"), period.get("until"))
    return render(request, "cases/digest.html", {"case": case, "form": form, "digest": data})


def area_digest(request, pk: int):
    """The live digest of one area, for a chosen period."""
    area = get_object_or_404(Area.objects.select_related("type").defer("geom"), pk=pk)
    form, period = _period(request)
    if form.errors:
        return render(request, "cases/digest.html", {"area": area, "form": form}, status=400)
    data = digests.area_digest([area.pk], period.get("since"), period.get("until"))
    return render(request, "cases/digest.html", {"area": area, "form": form, "digest": data})


def frozen_digest(request, pk: int, version: int):
    """A frozen digest exactly as it was attached to the case."""
    frozen = get_object_or_404(
        FrozenDigest.objects.select_related("case__municipality"), case_id=pk, version=version
    )
    return render(request, "cases/frozen.html", {"case": frozen.case, "frozen": frozen})


def frozen_digest_pdf(request, pk: int, version: int):
    """The frozen digest's PDF (404 while the background worker is still making it)."""
    frozen = get_object_or_404(FrozenDigest, case_id=pk, version=version)
    pdf = getattr(frozen, "pdf", None)
    if pdf is None:
        raise Http404(_("The PDF is being made. Try again in a minute."))
    return FileResponse(
        pdf.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=pdf.file.name.rsplit("/", 1)[-1],
    )


def _is_planner_of(request, municipality) -> bool:
    return request.user.is_authenticated and bool(
        request.user.staff_municipality_ids(*EDITOR_ROLES) & {municipality.pk}
    )


@login_required
@idempotent_form
def population_upload(request, code: str):
    """A planner uploads the population counts per area and age group (a CSV). A file with
    any bad row writes nothing and is answered with the report of its bad rows."""
    municipality = get_object_or_404(Municipality, code=code)
    if not _is_planner_of(request, municipality):
        raise PermissionDenied(_("Only the municipality's planners upload population counts."))
    latest = municipality.population_uploads.filter(replaced_at__isnull=True).first()
    form = PopulationForm(
        request.POST or None,
        request.FILES or None,
        municipality=municipality,
        initial={"area_type": latest.area_type_id} if latest else {},
    )
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        content = upload.read(MAX_BYTES + 1)
        try:
            parsed = read_counts(content, municipality, data["area_type"], year=data["year"])
        except PopulationFileError as exc:
            code_ = "too_large" if len(content) > MAX_BYTES else "invalid"
            form.add_error("file", ValidationError(str(exc), code=code_))
        else:
            if parsed.errors:
                report = parsed
                form.add_error(
                    "file",
                    ValidationError(
                        _(
                            "%(n)s rows are wrong; nothing was saved. The rows are listed "
                            "below the form."
                        )
                        % {"n": parsed.error_total}
                    ),
                )
            else:
                uploads = population_replace(
                    municipality=municipality,
                    area_type=data["area_type"],
                    parsed=parsed,
                    source=data["source"],
                    file_name=upload.name or "",
                    data=content,
                )
                messages.success(
                    request,
                    _("Population counts saved for %(years)s.")
                    % {"years": ", ".join(str(u.year) for u in uploads)},
                )
                return redirect(
                    reverse("cases:representation", args=[municipality.code])
                    + f"?type={data['area_type'].slug}"
                )
    uploads = municipality.population_uploads.select_related("area_type")[:20]
    return render(
        request,
        "cases/population_upload.html",
        {"municipality": municipality, "form": form, "report": report, "uploads": uploads},
        status=refused_status(form) if request.method == "POST" else 200,
    )


def representation_page(request, code: str):
    """Participants against the population, per area of a chosen type: a table and a map.
    Public, with counts under 5 withheld; the municipality's planners see every count."""
    municipality = get_object_or_404(Municipality, code=code)
    types = representation.area_types_with_counts(municipality)
    planner = _is_planner_of(request, municipality)
    context = {"municipality": municipality, "types": types, "planner": planner}
    if not types:
        return render(request, "cases/representation.html", context)
    form, period = _period(request)
    slug = request.GET.get("type") or types[0].slug
    chosen = next((area_type for area_type in types if area_type.slug == slug), None)
    context |= {"form": form, "chosen": chosen}
    if chosen is None:
        context["type_error"] = _("Choose one of the area types in the list.")
        return render(request, "cases/representation.html", context, status=400)
    if form.errors:
        return render(request, "cases/representation.html", context, status=400)
    result = representation.representation(
        municipality, chosen, since=period.get("since"), until=period.get("until")
    )
    data = result.as_data(public=not planner) if result else None
    context |= {"data": data, "map_data": representation.map_data(data) if data else None}
    return render(request, "cases/representation.html", context)
