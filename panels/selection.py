"""The two draws of a citizens' panel, as the Sortition Foundation runs them.

1. The invitation lottery (``draw_invitations``): a stratified random sample of the
   register extract, proportional to the strata's shares, one invitation per household,
   from a published seed: the same seed and the same extract give the same draw.
2. The final selection among the volunteers (``select_panel``), with sortition-algorithms'
   maximin: quotas from the population's shares (``quotas``), each volunteer's probability
   of selection, one panel drawn from that distribution, and the alternates ranked.

Invitation codes (``new_code``, ``code_check``): 12 characters from Crockford's base 32
alphabet in three groups (``K7QM-2D9X-F4TR``): six random, six of an HMAC over them
(``salted_hmac`` with the site's secret), so a code typed from a letter is checked
before the database is asked, and a guessed one fails its signature.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.crypto import constant_time_compare, salted_hmac
from sortition_algorithms.committee_generation import standardize_distribution
from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
from sortition_algorithms.core import lottery_rounding
from sortition_algorithms.errors import SortitionBaseError
from sortition_algorithms.features import FeatureValueMinMax, set_default_max_flex
from sortition_algorithms.people import People
from sortition_algorithms.utils import set_random_provider

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_SALT = "panels.invitation-code"
# What people type for a letter that looks like a digit (Crockford's decoding).
_CODE_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
AGE_BANDS = (30, 45, 60, 75)  # upper bounds (exclusive) after the panel's minimum age
NO_AREA = "-"


# --- codes ---------------------------------------------------------------------------------


def _base32(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        out.append(CODE_ALPHABET[digit])
    return "".join(out)


def _signature(body: str) -> str:
    return _base32(salted_hmac(CODE_SALT, body, algorithm="sha256").digest()[:8], 6)


def new_code() -> str:
    """A new signed invitation code, 12 characters without separators."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return body + _signature(body)


def normalise_code(typed: str) -> str:
    """What someone typed, as a code: upper case, without spaces and dashes, O read as 0."""
    return "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CODE_READS)


def code_check(typed: str) -> str | None:
    """The code if its signature holds, else None."""
    code = normalise_code(typed)
    if len(code) != 12 or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code if constant_time_compare(code[6:], _signature(code[:6])) else None


def code_display(code: str) -> str:
    """The code in groups of four, as printed on the letter."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- strata --------------------------------------------------------------------------------


def age_group(birth_year: int, year: int, minimum_age: int) -> str:
    """The age group of someone born in ``birth_year`` (their age at the end of ``year``)."""
    age = year - birth_year
    lower = minimum_age
    for upper in AGE_BANDS:
        if upper <= lower:
            continue
        if age < upper:
            return f"{lower}-{upper - 1}"
        lower = upper
    return f"{lower}+"


def age_groups(year: int, minimum_age: int) -> list[str]:
    """Every age group, youngest first."""
    groups: list[str] = []
    for age in range(minimum_age, 130):
        group = age_group(year - age, year, minimum_age)
        if group not in groups:
            groups.append(group)
    return groups


def seed_number(seed: str) -> int:
    """The published seed as the integer the random generators start from."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") or 1


def new_seed() -> str:
    """A seed to publish: ten digits."""
    return str(secrets.randbelow(9_000_000_000) + 1_000_000_000)


# --- 1. the invitation lottery -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One person of the extract as the lottery sees them: id, stratum cell, household."""

    pk: int
    person_id: str
    cell: tuple[str, ...]
    household: str


def allocate(counts: dict[tuple, int], total: int) -> dict[tuple, int]:
    """Seats per cell proportional to its count (largest remainder, ties by cell)."""
    population = sum(counts.values())
    if population == 0:
        return dict.fromkeys(counts, 0)
    exact = {cell: counts[cell] * total / population for cell in counts}
    seats = {cell: math.floor(value) for cell, value in exact.items()}
    left = total - sum(seats.values())
    for cell in sorted(exact, key=lambda c: (-(exact[c] - seats[c]), c))[:left]:
        seats[cell] += 1
    return seats


def draw_invitations(candidates: Iterable[Candidate], number: int, seed: str) -> list[int]:
    """The people invited, in the order drawn: ``number`` of them (fewer only if there are
    not that many households), proportional to the cells' shares, one per household.

    Reproducible: the candidates are ordered by their extract id, and each cell is shuffled
    by its own generator seeded from the published seed and the cell, so neither the
    database's row order nor the other cells change a cell's draw.
    """
    by_cell: dict[tuple, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.person_id):
        by_cell[candidate.cell].append(candidate)
    base = seed_number(seed)
    for cell, people in by_cell.items():
        cell_seed = hashlib.sha256(f"{base}:{'|'.join(cell)}".encode()).digest()
        random.Random(cell_seed).shuffle(people)  # noqa: S311 (reproducible on purpose)
    seats = allocate({cell: len(people) for cell, people in by_cell.items()}, number)
    households: set[str] = set()
    drawn: list[int] = []
    position = dict.fromkeys(by_cell, 0)
    for cell in sorted(by_cell):
        people = by_cell[cell]
        taken = 0
        while taken < seats[cell] and position[cell] < len(people):
            person = people[position[cell]]
            position[cell] += 1
            if person.household in households:
                continue
            households.add(person.household)
            drawn.append(person.pk)
            taken += 1
    # Seats a cell could not fill (its households already drawn) go round the cells in turn.
    while len(drawn) < number:
        progressed = False
        for cell in sorted(by_cell):
            people = by_cell[cell]
            while position[cell] < len(people):
                person = people[position[cell]]
                position[cell] += 1
                if person.household not in households:
                    households.add(person.household)
                    drawn.append(person.pk)
                    progressed = True
                    break
            if len(drawn) >= number:
                break
        if not progressed:
            break
    return drawn


# --- 2. the final selection ----------------------------------------------------------------


@dataclass
class Quota:
    """A group's quota: its share of the population, the members it should have, its
    bounds, and (after a selection) how many volunteers and members it has."""

    stratum: str
    value: str
    population: int
    share: float
    expected: float
    minimum: int
    maximum: int
    volunteers: int = 0
    selected: int = 0

    @property
    def met(self) -> bool:
        return self.minimum <= self.selected <= self.maximum

    @property
    def short(self) -> int:
        """Volunteers missing to reach the minimum."""
        return max(0, self.minimum - self.volunteers)


def quotas(population: dict[str, Counter], target: int, tolerance_percent: int) -> list[Quota]:
    """Each group's bounds: its share of the population × the target size, widened by the
    tolerance (per cent) and rounded outwards (minimum down, maximum up)."""
    result = []
    tolerance = tolerance_percent / 100
    for stratum, counts in population.items():
        total = sum(counts.values())
        for value in sorted(counts):
            share = counts[value] / total if total else 0.0
            expected = share * target
            result.append(
                Quota(
                    stratum=stratum,
                    value=value,
                    population=counts[value],
                    share=share,
                    expected=expected,
                    minimum=max(0, math.floor(expected * (1 - tolerance))),
                    maximum=min(target, math.ceil(expected * (1 + tolerance))),
                )
            )
    return result


@dataclass
class SelectionResult:
    """What the final selection decided."""

    selected: list[int]
    alternates: list[int]
    probabilities: dict[int, float]
    quotas: list[Quota]
    problems: list[Quota] = field(default_factory=list)


class QuotaProblem(Exception):
    """Quotas that cannot be met with these volunteers (``problems``: the groups short),
    or that contradict the target size (``bounds``: the sums of minimums and maximums)."""

    def __init__(self, problems: Sequence[Quota], message: str = "") -> None:
        super().__init__(message or "quotas cannot be met")
        self.problems = list(problems)
        self.message = message


def count_volunteers(all_quotas: list[Quota], volunteers: dict[int, dict[str, str]]) -> list[Quota]:
    """The quotas with their volunteers counted; the ones short of volunteers."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for strata in volunteers.values():
        for stratum, value in strata.items():
            counts[stratum][value] += 1
    for quota in all_quotas:
        quota.volunteers = counts[quota.stratum][quota.value]
    return [quota for quota in all_quotas if quota.short]


def select_panel(
    volunteers: dict[int, dict[str, str]],
    all_quotas: list[Quota],
    target: int,
    seed: str,
    alternates: int,
) -> SelectionResult:
    """Choose ``target`` members among the volunteers ({id: {stratum: value}}) within the
    quotas, with sortition-algorithms' maximin (highspy): the distribution over panels
    that maximises the smallest selection probability, then one panel drawn from it.

    QuotaProblem if a group has fewer volunteers than its minimum, before any solver runs.
    """
    short = count_volunteers(all_quotas, volunteers)
    if short:
        raise QuotaProblem(short)
    if len(volunteers) < target:
        raise QuotaProblem([], "too few volunteers")
    features: dict[str, dict[str, FeatureValueMinMax]] = defaultdict(dict)
    for quota in all_quotas:
        features[quota.stratum][quota.value] = FeatureValueMinMax(
            min=quota.minimum, max=quota.maximum
        )
    for stratum, values in features.items():
        if (
            sum(v.min for v in values.values()) > target
            or sum(v.max for v in values.values()) < target
        ):
            raise QuotaProblem([q for q in all_quotas if q.stratum == stratum], f"bounds:{stratum}")
    set_default_max_flex(features)
    people = People(columns_to_keep=[])
    for row, (pk, strata) in enumerate(sorted(volunteers.items()), start=1):
        people.add(str(pk), dict(strata), features, row)
    # The solver's draw and the rounding use the library's random provider: seeded from the
    # published seed, the selection can be repeated. (A module-level setting of the
    # library's; the selection runs in one job at a time.)
    set_random_provider(seed_number(seed))
    try:
        committees, probabilities, _report = find_distribution_maximin(features, people, target, [])
        committees, probabilities = standardize_distribution(committees, probabilities)
        chosen = lottery_rounding(committees, probabilities, 1)[0]
    except SortitionBaseError as exc:
        raise QuotaProblem([], str(exc)) from exc
    finally:
        set_random_provider(None)
    marginal = dict.fromkeys(volunteers, 0.0)
    for committee, probability in zip(committees, probabilities, strict=True):
        for key in committee:
            marginal[int(key)] += probability
    selected = sorted(int(key) for key in chosen)
    for quota in all_quotas:
        quota.selected = sum(
            1 for pk in selected if volunteers[pk].get(quota.stratum) == quota.value
        )
    # Alternates: the others, most likely first (their probability under the distribution),
    # ties broken by the seeded generator.
    tiebreak = random.Random(seed_number(seed) + 1)  # noqa: S311 (reproducible on purpose)
    rest = [pk for pk in sorted(volunteers) if pk not in set(selected)]
    order = {pk: tiebreak.random() for pk in rest}
    ranked = sorted(rest, key=lambda pk: (-round(marginal[pk], 9), order[pk]))
    return SelectionResult(
        selected=selected,
        alternates=ranked[:alternates],
        probabilities=marginal,
        quotas=all_quotas,
    )
