"""Budget pages: a planner creates a budget on a case and imports its versions; everyone
sees a version simply (a treemap and a bar chart of the sectors, each with its table),
a sector's lines, the amounts per area, and the versions side by side. Thin: the sums are
in querysets.py, the charts in charts.py, the writing in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.idempotency import idempotent_form
from budgets import charts, services
from budgets.forms import BudgetForm, ImportForm
from budgets.models import Budget, BudgetVersion, SectorTotal, Stage
from budgets.numbers import kroner, millions
from budgets.querysets import overview
from cases.models import Case
from core.forms import add_service_errors, refused_status
from priorities import services as loop

# The version a budget's page shows first: the furthest along.
STAGE_ORDER = [Stage.PREVIOUS, Stage.PROPOSAL, Stage.RECOMMENDATION, Stage.ADOPTED]


def _is_planner(user, municipality_id: int) -> bool:
    if not user.is_authenticated:
        return False
    held = {role for role, muni in user._grants() if muni == municipality_id}
    return bool(held & set(loop.ANSWER_ROLES))


def _budget(pk: int) -> Budget:
    return get_object_or_404(Budget.objects.select_related("case__municipality"), pk=pk)


def _versions(budget: Budget) -> list[BudgetVersion]:
    versions = list(budget.versions.all())
    versions.sort(key=lambda version: STAGE_ORDER.index(version.stage))
    return versions


def _version(versions: list[BudgetVersion], stage: str) -> BudgetVersion:
    for version in versions:
        if version.stage == stage:
            return version
    raise Http404(_("This budget has no such version."))


def _year(request, budget: Budget) -> int:
    raw = request.GET.get("year")
    if raw is None:
        return budget.first_year
    if not raw.isdigit() or int(raw) not in budget.years:
        raise BadRequest(_("Choose one of the budget's plan years."))
    return int(raw)


@login_required
@idempotent_form
def budget_new(request, case_pk: int):
    """A planner creates a budget on a budget case (from the case's work page)."""
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_pk)
    services.check_planner(request.user, case.municipality_id)
    form = BudgetForm(request.POST or None, initial={"title": case.title})
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.budget_create(
                actor=request.user,
                case=case,
                title=form.cleaned_data["title"],
                first_year=form.cleaned_data["first_year"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The budget is created. Import its first version."))
            return redirect("budgets:import", budget.pk)
    status = refused_status(form) if request.method == "POST" else 200
    return render(request, "budgets/budget_form.html", {"case": case, "form": form}, status=status)


@login_required
@idempotent_form
def version_import(request, pk: int):
    """A planner uploads a version; a file with bad rows gets a report and writes nothing."""
    budget = _budget(pk)
    services.check_planner(request.user, budget.case.municipality_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.version_import(
                actor=request.user,
                budget=budget,
                stage=form.cleaned_data["stage"],
                label=form.cleaned_data["label"],
                data=upload.read(),
                source_name=upload.name,
            )
        except services.ImportRefused as exc:
            add_service_errors(form, exc)
            problems = exc.parsed
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(version)s is imported: %(count)s lines.")
                % {"version": capfirst(str(version)), "count": version.lines.count()},
            )
            return redirect("budgets:version", budget.pk, version.stage)
    status = refused_status(form) if request.method == "POST" else 200
    return render(
        request,
        "budgets/import_form.html",
        {
            "budget": budget,
            "case": budget.case,
            "form": form,
            "problems": problems,
            "versions": _versions(budget),
        },
        status=status,
    )


@require_safe
def budget_detail(request, pk: int):
    """A budget's page: the version furthest along, or a notice that none is imported."""
    return _show(request, _budget(pk), None)


@require_safe
def version_detail(request, pk: int, stage: str):
    return _show(request, _budget(pk), stage)


def _chart_items(rows, index: int) -> list[charts.Item]:
    return [
        charts.Item(
            label=row.name, value=float(row.amounts[index]), text=millions(row.amounts[index])
        )
        for row in rows
    ]


def _show(request, budget: Budget, stage: str | None):
    versions = _versions(budget)
    year = _year(request, budget)
    context = {
        "budget": budget,
        "case": budget.case,
        "versions": versions,
        "year": year,
        "is_planner": _is_planner(request.user, budget.case.municipality_id),
    }
    if not versions:
        if stage is not None:
            raise Http404(_("This budget has no such version."))
        return render(request, "budgets/budget_detail.html", context)
    version = _version(versions, stage) if stage else versions[-1]
    previous = next((v for v in versions if v.stage == Stage.PREVIOUS), None)
    data = overview(
        version,
        baseline_version=previous,
        population=budget.case.municipality.population,
    )
    index = budget.years.index(year)
    rows = sorted(data.rows, key=lambda row: -row.amounts[index])
    items = _chart_items(rows, index)
    total = kroner(data.totals[index])
    largest = rows[0].name if rows else ""
    desc = _(
        "%(count)s sectors, %(total)s in all in %(year)s; the largest is %(largest)s. The "
        "table below the chart has every amount."
    ) % {"count": len(rows), "total": total, "year": year, "largest": largest}
    context.update(
        version=version,
        overview=data,
        rows=rows,
        year_index=index,
        year_total=data.totals[index],
        treemap=charts.both(
            charts.treemap_svg,
            items,
            chart_id="treemap",
            wide={"width": 800, "height": 440},
            narrow={"width": 320, "height": 420},
            title=_("Treemap: the sectors' shares of %(year)s") % {"year": year},
            desc=desc,
        ),
        bars=charts.both(
            charts.bar_svg,
            items,
            chart_id="bars",
            wide={"width": 800},
            narrow={"width": 320},
            title=_("Bar chart: the sectors in %(year)s") % {"year": year},
            desc=desc,
        ),
    )
    return render(request, "budgets/budget_detail.html", context)


@require_safe
def sector_detail(request, pk: int, stage: str, sector_pk: int):
    """A sector's lines in one version, with their amounts for each plan year."""
    budget = _budget(pk)
    versions = _versions(budget)
    version = _version(versions, stage)
    sector = get_object_or_404(budget.sectors, pk=sector_pk)
    years = budget.years
    lines = list(version.lines.filter(sector=sector).select_related("area").with_amounts(years))
    for line in lines:
        line.year_amounts = [getattr(line, f"y{year}") for year in years]
    totals = [sum((line.year_amounts[i] for line in lines), 0) for i in range(len(years))]
    return render(
        request,
        "budgets/budget_sector.html",
        {
            "budget": budget,
            "case": budget.case,
            "version": version,
            "versions": versions,
            "sector": sector,
            "lines": lines,
            "totals": totals,
        },
    )


@require_safe
def version_areas(request, pk: int, stage: str):
    """The lines that have an area, summed per area."""
    budget = _budget(pk)
    versions = _versions(budget)
    version = _version(versions, stage)
    years = budget.years
    rows = list(version.lines.all().area_totals(years))
    for row in rows:
        row["amounts"] = [row[f"y{year}"] for year in years]
    return render(
        request,
        "budgets/budget_areas.html",
        {
            "budget": budget,
            "case": budget.case,
            "version": version,
            "versions": versions,
            "rows": rows,
        },
    )


@require_safe
def budget_compare(request, pk: int):
    """The versions side by side, sector by sector, for one plan year."""
    budget = _budget(pk)
    versions = _versions(budget)
    year = _year(request, budget)
    table = SectorTotal.objects.filter(version__budget=budget, year=year).table()
    sectors = list(budget.sectors.all())
    rows = [
        {
            "sector": sector,
            "amounts": [table.get(v.pk, {}).get(sector.pk, {}).get(year) for v in versions],
        }
        for sector in sectors
        if any(sector.pk in table.get(v.pk, {}) for v in versions)
    ]
    totals = [sum((row.get(year, 0) for row in table.get(v.pk, {}).values()), 0) for v in versions]
    return render(
        request,
        "budgets/budget_compare.html",
        {
            "budget": budget,
            "case": budget.case,
            "versions": versions,
            "year": year,
            "table": rows,
            "totals": totals,
        },
    )
