"""A budget in the API, read-only: its versions, each with its sectors' net amounts per plan
year and the totals. Amounts are strings with a decimal point (``"1234567.00"``), as
DRF writes decimals, whatever the language of the request."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.models import Budget, Stage
from budgets.querysets import overview

STAGE_ORDER = [Stage.PREVIOUS, Stage.PROPOSAL, Stage.RECOMMENDATION, Stage.ADOPTED]


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


class SectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    lines = serializers.IntegerField()
    amounts = serializers.DictField(child=serializers.CharField())


class VersionSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()
    imported_at = serializers.DateTimeField()
    totals = serializers.DictField(child=serializers.CharField())
    sectors = SectorSerializer(many=True)


class BudgetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    case = serializers.CharField()
    municipality = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    first_year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())
    illustrative = serializers.BooleanField()
    versions = VersionSerializer(many=True)


def budget_data(budget: Budget) -> dict:
    versions = sorted(budget.versions.all(), key=lambda v: STAGE_ORDER.index(v.stage))
    years = budget.years
    result = []
    for version in versions:
        data = overview(version)
        result.append(
            {
                "stage": version.stage,
                "label": version.label,
                "imported_at": version.imported_at,
                "totals": {
                    str(year): _amount(total)
                    for year, total in zip(years, data.totals, strict=True)
                },
                "sectors": [
                    {
                        "id": row.pk,
                        "name": row.name,
                        "lines": row.lines,
                        "amounts": {
                            str(year): _amount(amount)
                            for year, amount in zip(years, row.amounts, strict=True)
                        },
                    }
                    for row in data.rows
                ],
            }
        )
    municipality = budget.case.municipality
    return {
        "id": budget.pk,
        "title": budget.title,
        "case": budget.case.number,
        "municipality": municipality.code,
        "population": municipality.population,
        "first_year": budget.first_year,
        "years": years,
        "illustrative": budget.illustrative,
        "versions": result,
    }


class BudgetDetail(APIView):
    """A budget: its versions, their sectors and totals per plan year (net, in kroner)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=BudgetSerializer)
    def get(self, request, pk: int):
        budget = get_object_or_404(Budget.objects.select_related("case__municipality"), pk=pk)
        return Response(BudgetSerializer(budget_data(budget)).data)
