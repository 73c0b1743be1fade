"""Who took part, against who lives there: participants per area and age group compared
with the population counts a municipality uploads (``areas.PopulationCount``).

``representation(municipality, area_type)`` returns, per area of the type in force: its
population (the latest year uploaded, or ``year``), the distinct participants, the
participants per 1,000 residents, the area's share of all participants against its share of
the population, and the same per age group where the age is known.

**Who counts as a participant** is each kind of input's own rule
(``priorities.kinds.InputKind.participants``): a priority's author and every resident
supporting it; a council's submission, the council; a hearing answer, the council or the
organisation (by organisation number) it speaks for, else the resident; meeting input,
nobody by name, but the meeting's participants as counted by age group
(``counted_participants``). Named participants are counted once per area however much
input they gave, across every kind; people counted at meetings cannot be told apart from
named ones and are added. A piece of input counts in each area (of the type) it lies in.

The period (``since``, ``until``: dates, both included) is when the input was given (a
meeting: the day it started).

Any caller may pass its own participants instead, as counts per (area id, age group)
(``participants=``): a citizens' panel its members, for instance. One SQL statement reads
the population; one reads the participants of every kind, grouped by area; nothing is
counted per area in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _

from areas.models import (
    POPULATION_AGE_GROUPS,
    AgeGroup,
    Area,
    AreaType,
    PopulationCount,
    PopulationUpload,
)
from priorities import kinds

# Counts from 1 to this (less than 5) are not shown in public, nor what they could be
# worked out from.
SMALL = 5
AGE_GROUPS = [group.value for group, _low, _high in POPULATION_AGE_GROUPS]
# Five classes of participants per 1,000 residents, for the map: ColorBrewer's "Blues"
# (sequential, one hue, safe for the colour-blind and in greyscale).
CLASS_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


@dataclass
class AgeRow:
    group: str
    population: int = 0
    participants: int | None = None  # None: not known for this age group

    @property
    def label(self) -> str:
        return str(AgeGroup(self.group).label)


@dataclass
class AreaRow:
    id: int
    name: str
    code: str
    population: int = 0
    participants: int = 0
    by_age: dict[str, AgeRow] = field(default_factory=dict)
    share_population: float | None = None
    share_participants: float | None = None

    @property
    def rate(self) -> float | None:
        """Participants per 1,000 residents."""
        return 1000 * self.participants / self.population if self.population else None

    @property
    def ratio(self) -> float | None:
        """The area's share of the participants over its share of the population (1: as
        many as its size would give; below 1, under-represented)."""
        if not self.share_population or self.share_participants is None:
            return None
        return self.share_participants / self.share_population


@dataclass
class Representation:
    municipality_id: int
    area_type_id: int
    year: int | None
    source: str
    rows: list[AreaRow]
    population: int
    participants: int
    by_age: list[AgeRow]
    anonymous: int  # of the participants, those counted without a name (meetings)

    @property
    def rate(self) -> float | None:
        return 1000 * self.participants / self.population if self.population else None

    def as_data(self, *, public: bool = True) -> dict:
        """A JSON-serialisable form (the page's map, the API, the digests). In public
        (``public=True``) counts from 1 to 4 are withheld (``None``, the key
        listed in ``"withheld"``), with the rates and shares made from them, and a second count
        where one withheld count could be worked out from the total."""
        rows = [_row_data(row) for row in self.rows]
        ages = [_age_data(age) for age in self.by_age]
        if public:
            _withhold(rows, "participants", self.participants)
            _withhold(rows, "population", self.population)
            _withhold(ages, "participants", sum(age.participants or 0 for age in self.by_age))
            for row in rows:
                _withhold(row["by_age"], "participants", row["participants"] or 0)
                _withhold(row["by_age"], "population", row["population"] or 0)
        breaks = class_breaks([row["rate"] for row in rows if row["rate"] is not None])
        for row in rows:
            row["class"] = class_of(row["rate"], breaks)
        participants = self.participants
        anonymous = self.anonymous
        if public:
            participants = None if _small(participants) else participants
            anonymous = None if _small(anonymous) else anonymous
        bounds = [0, *breaks]
        classes = [
            {
                "index": index,
                "low": bounds[index],
                "high": breaks[index] if index < len(breaks) else (None if breaks else 0),
                "colour": CLASS_COLOURS[index],
            }
            for index in range(len(bounds))
        ]
        return {
            "year": self.year,
            "source": self.source,
            "population": self.population,
            "participants": participants,
            "anonymous": anonymous,
            "rate": _round(self.rate, 1) if participants is not None else None,
            "rows": rows,
            "by_age": ages,
            "breaks": breaks,
            "classes": classes,
            "public": public,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _row_data(row: AreaRow) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "code": row.code,
        "population": row.population,
        "participants": row.participants,
        "rate": _round(row.rate, 1),
        "share_population": _round(row.share_population, 4),
        "share_participants": _round(row.share_participants, 4),
        "ratio": _round(row.ratio, 2),
        "withheld": [],
        "by_age": [_age_data(age) for age in row.by_age.values()],
    }


def _age_data(age: AgeRow) -> dict:
    rate = (
        1000 * age.participants / age.population
        if age.participants is not None and age.population
        else None
    )
    return {
        "group": age.group,
        "label": age.label,
        "population": age.population,
        "participants": age.participants,
        "rate": _round(rate, 1),
        "withheld": [],
    }


def _small(value) -> bool:
    return value is not None and 0 < value < SMALL


def _withhold(items: list[dict], key: str, total: int) -> None:
    """Withhold small counts of ``key`` (and what is made from them); where one count alone
    is withheld and the total is shown, withhold the next smallest too, so that it cannot
    be worked out by subtraction."""
    small = [item for item in items if _small(item[key])]
    if len(small) == 1 and total:
        others = sorted(
            (item for item in items if item not in small and item[key]), key=lambda i: i[key]
        )
        if others:
            small.append(others[0])
    for item in small:
        item[key] = None
        item["withheld"].append(key)
        for derived in ("rate", "share_population", "share_participants", "ratio"):
            if derived in item:
                item[derived] = None


def class_breaks(rates: Sequence[float]) -> list[float]:
    """Four upper bounds splitting the rates into five classes of equal width, from 0 to
    the highest rate rounded up to a round number (1, 2 or 5 times a power of ten)."""
    top = max(rates, default=0)
    if top <= 0:
        return []
    step = top / 5
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 2.5, 5, 10):
        if step <= factor * magnitude:
            step = factor * magnitude
            break
    return [round(step * index, 6) for index in range(1, 5)]


def class_of(rate: float | None, breaks: Sequence[float]) -> int | None:
    """The class (0 to 4) of a rate, or None when there is none."""
    if rate is None:
        return None
    for index, upper in enumerate(breaks):
        if rate <= upper:
            return index
    return len(breaks)


def _areas(municipality, area_type, area_ids: Sequence[int] | None):
    areas = Area.objects.current().filter(municipality=municipality, type=area_type)
    if area_ids is not None:
        areas = areas.filter(pk__in=area_ids)
    return list(areas.order_by("name", "code", "pk").values_list("pk", "name", "code"))


def named_participants(
    municipality, area_ids: Sequence[int], *, since=None, until=None
) -> tuple[dict[int, int], int]:
    """Distinct named participants per area (of these areas), and in all of them together,
    from the input of every registered kind, in one SQL statement."""
    if not area_ids:
        return {}, 0
    parts, params = [], []
    for kind in kinds.all_kinds():
        records = kind.public_records().filter(municipality=municipality)
        if since is not None:
            records = records.filter(created_at__date__gte=since)
        if until is not None:
            records = records.filter(created_at__date__lte=until)
        field_ = kind.model._meta.get_field("areas")
        through = field_.remote_field.through._meta
        column = through.get_field(kind.model._meta.model_name).column
        area_column = through.get_field("area").column
        for pairs in kind.participant_pairs(records):
            sql, pair_params = pairs.query.sql_with_params()
            parts.append(
                f"SELECT t.{area_column} AS area_id, p.who FROM ({sql}) AS p(record_id, who) "
                f"JOIN {connection.ops.quote_name(through.db_table)} t "
                f"ON t.{column} = p.record_id"
            )
            params.extend(pair_params)
    if not parts:
        return {}, 0
    union = " UNION ALL ".join(parts)
    statement = (
        f"SELECT i.area_id, count(DISTINCT i.who) FROM ({union}) AS i "
        "WHERE i.area_id = ANY(%s) GROUP BY GROUPING SETS ((i.area_id), ())"
    )
    per_area: dict[int, int] = {}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, list(area_ids)])
        for area_id, count in cursor.fetchall():
            if area_id is None:
                total = count
            else:
                per_area[area_id] = count
    return per_area, total


def counted_participants(
    municipality, area_ids: Sequence[int], *, since=None, until=None
) -> dict[tuple[int, str], int]:
    """People counted but not named (meetings), per (area, age group)."""
    counted: dict[tuple[int, str], int] = defaultdict(int)
    wanted = set(area_ids)
    for kind in kinds.all_kinds():
        if kind.counted_participants is None:
            continue
        rows = kind.counted_participants(municipality.pk, since, until)
        for area_id, group, count in rows:
            if area_id in wanted:
                counted[(area_id, group)] += count
    return counted


def representation(
    municipality,
    area_type,
    *,
    participants: Mapping[tuple[int, str], int] | None = None,
    since=None,
    until=None,
    year: int | None = None,
    area_ids: Sequence[int] | None = None,
) -> Representation | None:
    """Participants against the population in the municipality's areas of the type (or
    only ``area_ids`` of them), for the population of ``year`` (default: the latest year
    uploaded). None when no population counts are in force for the type.

    ``participants``: counts per (area id, age group) to compare instead of the input of
    every kind (a group may be ``"unknown"``)."""
    if year is None:
        year = PopulationCount.objects.latest_year(municipality, area_type)
        if year is None:
            return None
    upload = PopulationUpload.objects.filter(
        municipality=municipality, area_type=area_type, year=year, replaced_at__isnull=True
    ).first()
    if upload is None:
        return None
    areas = _areas(municipality, area_type, area_ids)
    ids = [pk for pk, _name, _code in areas]
    population: dict[tuple[int, str], int] = {
        (area, group): count
        for area, group, count in PopulationCount.objects.filter(upload=upload, area_id__in=ids)
        .values_list("area_id", "age_group")
        .annotate(total=Sum("count"))
    }
    if participants is None:
        named, named_total = named_participants(municipality, ids, since=since, until=until)
        counted = counted_participants(municipality, ids, since=since, until=until)
    else:
        named, named_total = {}, 0
        counted = {key: value for key, value in participants.items() if key[0] in ids}
    anonymous = sum(counted.values())
    # Ages are known for the people counted by age group (a meeting that asked, a caller's
    # own counts): a group none of them is in has none. Accounts have no age.
    by_age_known = participants is not None or any(g in AGE_GROUPS for (_a, g) in counted)
    known_ages = set(AGE_GROUPS) if by_age_known else set()
    rows = []
    for pk, name, code in areas:
        by_age = {
            group: AgeRow(
                group,
                population.get((pk, group), 0),
                counted.get((pk, group), 0) if group in known_ages else None,
            )
            for group in AGE_GROUPS
        }
        row = AreaRow(
            id=pk,
            name=name,
            code=code,
            population=sum(age.population for age in by_age.values()),
            participants=named.get(pk, 0)
            + sum(count for (area, _group), count in counted.items() if area == pk),
            by_age=by_age,
        )
        rows.append(row)
    total_population = sum(row.population for row in rows)
    total_participants = named_total + anonymous
    # Shares of the sum over the areas (a participant in two areas is in both), so that
    # the shares add up to one.
    summed = sum(row.participants for row in rows)
    for row in rows:
        row.share_population = row.population / total_population if total_population else None
        row.share_participants = row.participants / summed if summed else None
    by_age = [
        AgeRow(
            group,
            sum(row.by_age[group].population for row in rows),
            sum(row.by_age[group].participants or 0 for row in rows)
            if group in known_ages
            else None,
        )
        for group in AGE_GROUPS
    ]
    return Representation(
        municipality_id=municipality.pk,
        area_type_id=area_type.pk,
        year=year,
        source=upload.source,
        rows=rows,
        population=total_population,
        participants=total_participants,
        by_age=by_age,
        anonymous=anonymous,
    )


def area_types_with_counts(municipality) -> list[AreaType]:
    """The area types that have population counts in force in the municipality."""
    return list(
        AreaType.objects.filter(
            pk__in=PopulationUpload.objects.filter(
                municipality=municipality, replaced_at__isnull=True
            ).values("area_type")
        )
    )


def map_data(data: dict) -> dict:
    """What the page's choropleth needs (``static/js/representation-map.js``): per area its
    class and a label for its tooltip, in the request's language, and the classes'
    colours. The numbers are in the labels as text; nothing numeric is localised."""
    areas = {}
    for row in data["rows"]:
        if row["rate"] is None:
            label = _("%(name)s: no rate") % {"name": row["name"]}
        else:
            label = _("%(name)s: %(rate)s per 1,000 residents") % {
                "name": row["name"],
                "rate": formats.number_format(row["rate"], 1),
            }
        areas[str(row["id"])] = {"class": row["class"], "label": str(label)}
    return {"colours": list(CLASS_COLOURS), "areas": areas}
