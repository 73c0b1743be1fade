"""Property-based tests: every filter combination of the planner gives exactly the right rows.

A small data set of Bodø priorities is made through the services (several school
districts and hamlets, categories, dates across daylight saving time and around
midnight, supports, answers with case numbers, one hidden and one merged priority).
Hypothesis then draws filter combinations and an ordering, the test walks the API's
keyset pages, and the result must equal a plain-Python filter over the same rows.

Full-text search: the oracle knows which stem each vocabulary word has under
PostgreSQL's Norwegian snowball stemmer (``VOCABULARY``); a separate test checks that
table, and that the filler words share no stem with it, against PostgreSQL itself.

Ordering: the API orders by the chosen field; the order among equal values is not part
of its contract, so the test compares the sequence of ordering values, the set of rows,
and that equal values come in a steady id order. ``previous`` links, followed back from
the last page, must retrace the same pages.

Bounding boxes: containment is computed in Python from the input lon/lat. Boxes are
drawn on a 0.01° grid (every data point lies 0.004° or more from a grid line) and
"hugging" a data point, with edges 1 m to 1° from it on either side, so an edge never
lies within 1 m of a point and the oracle is unambiguous
(``test_bbox_holds_exactly_the_points_inside`` draws many of the latter). Until this change the API
compared the box in UTM 33 after transforming only its corners (parallels are curves
there), cutting a lens off the south edge: ~90 m deep for a box 1° wide, ~350 m for 2°
(``test_bbox_edge_is_a_parallel``).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from areas.geo import lon_lat_point
from areas.models import Area
from priorities import services
from priorities.models import Category, Priority, PriorityStatusChange, Status, Support
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/priorities/"
OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.UTC

# Places in Bodø (lon, lat), each x.xx5 in both coordinates so that it lies 0.005° from
# the 0.01° grid the bounding boxes are drawn on (with the ±0.001° spread, 0.004°), and
# every coordinate is a multiple of 0.001° (see OFFSETS).
PLACES = [
    (14.385, 67.285),  # Bodø sentrum skolekrets / Sentrum og Rønvik
    (14.375, 67.275),  # Bodø sentrum
    (14.435, 67.305),  # Rønvik skolekrets
    (14.375, 67.435),  # Rønvik skolekrets / Landegode
    (14.465, 67.275),  # Hunstad
    (14.555, 67.285),  # Mørkved
    (14.605, 67.305),  # Mørkved
    (14.625, 67.235),  # Saltstraumen
    (14.735, 67.295),  # Løding / Tverlandet
    (14.785, 67.305),  # Løding / Tverlandet
    (15.045, 67.235),  # Skjerstad
    (15.005, 67.115),  # Misvær
    (14.765, 67.515),  # Kjerringøy
]
SPREAD = (-0.001, 0.0, 0.001)  # added to the longitude of the 1st, 2nd and 3rd round
ROWS = 39

# Each word with its lexeme under to_tsvector('norwegian', ...), checked by
# test_the_stem_table_is_what_postgresql_does. Note the stemmer's own quirks: "gatelys"
# and "gatelyset" do not share a stem, nor do "skole" and "skoleveien".
VOCABULARY = {
    "skole": "skol",
    "skolen": "skol",
    "skolene": "skol",
    "skolevei": "skolevei",
    "skoleveien": "skolevei",
    "skolebussen": "skolebuss",
    "fortau": "fortau",
    "fortauet": "fortau",
    "busstopp": "busstopp",
    "busstoppet": "busstopp",
    "lekeplass": "lekeplass",
    "lekeplassen": "lekeplass",
    "lekeplasser": "lekeplass",
    "barn": "barn",
    "barna": "barn",
    "barnehage": "barnehag",
    "barnehagen": "barnehag",
    "benk": "benk",
    "benker": "benk",
    "kryss": "kryss",
    "krysset": "kryss",
    "fartsdumper": "fartsdump",
    "brøyting": "brøyting",
    "brøytingen": "brøyting",
    "møteplass": "møteplass",
    "grøntområdet": "grøntområd",
    "sykkelvei": "sykkelvei",
    "sykkelveien": "sykkelvei",
    "gatelys": "gately",
    "gatelyset": "gatelys",
    # In no priority: searching for them finds nothing.
    "ferje": "ferj",
    "badeplass": "badeplass",
}
UNUSED_WORDS = {"ferje", "badeplass"}
# Words around the vocabulary: stop words and words whose stems are not in it.
FILLER = "Det mangler trengs ønsker mer bedre bilene kjører fort morgen kveld trygg snø mørkt"

USED_CATEGORIES = [
    "trafikksikkerhet",
    "vei-og-gatelys",
    "kollektivtransport",
    "lek-og-friluft",
    "skole-og-barnehage",
    "moteplasser",
]
ALL_CATEGORIES = [*USED_CATEGORIES, "kultur-og-idrett", "natur-og-miljo", "helse-og-omsorg"]
ANSWERS = [  # (status, case number) of the first answer to every 4th priority
    (Status.UNDER_CONSIDERATION, "2025/101"),
    (Status.IN_CASE, "2025/102"),
    (Status.DECIDED, ""),
    (Status.IMPLEMENTED, "2025/2003"),
    (Status.NOT_PURSUED, "2026/7"),
]
CASES = ["2025/101", "2025/102", "2025/2003", "2026/7", "2026/8", "2024/999"]
HIDDEN_ROW, MERGED_ROW, MERGE_TARGET = 5, 14, 2


@dataclass
class Row:
    """A priority as plain data: what the oracle filters."""

    id: int
    reference: str
    lon: float
    lat: float
    category: str
    status: str
    support_count: int
    created_at: datetime.datetime
    answered: bool
    public: bool
    municipality: str
    stems: set[str]
    areas: set[int] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)


@dataclass
class DataSet:
    rows: list[Row]
    areas: dict[int, tuple[str, int | None]]  # id -> (type slug, parent id)
    dates: list[datetime.date]  # local creation dates of the rows

    def __repr__(self) -> str:  # short, in Hypothesis' report of a failing example
        return f"DataSet({len(self.rows)} priorities)"


def _words(rng: random.Random) -> tuple[str, str, set[str]]:
    """A title and a text with a few vocabulary words, and the stems they carry."""
    usable = sorted(set(VOCABULARY) - UNUSED_WORDS)
    title_words = rng.sample(usable, rng.randint(1, 2))
    text_words = rng.sample(usable, rng.randint(0, 3))
    filler = FILLER.split()
    title = " og ".join(title_words).capitalize()
    text = " ".join(
        [f"Det {rng.choice(filler[1:4])}", *(f"{w} ved" for w in text_words), "bilene her"]
    )
    text += f" om {rng.choice(['morgen', 'kveld'])}, {rng.choice(filler[4:])}."
    return title, text, {VOCABULARY[w] for w in title_words + text_words}


def _created_at(i: int) -> datetime.datetime:
    """Creation times over 2025 (both sides of daylight saving time), some near midnight."""
    if i in (13, 26, 27):  # equal timestamps: ties the keyset pages must handle
        i -= 1 if i != 27 else 2
    day = datetime.datetime(2025, 1, 3, tzinfo=UTC) + datetime.timedelta(days=9 * i)
    hour, minute = [(23, 30), (22, 15), (0, 5), (11, 0), (16, 45)][i % 5]
    return day.replace(hour=hour, minute=minute)


def build_data_set() -> DataSet:
    """The priorities, made through the services; returns them as plain rows."""
    rng = random.Random(1804)
    users = [UserFactory(password=None) for _ in range(8)]
    planner = staff(Role.PLANNER, password=None)
    moderator = staff(Role.MODERATOR, password=None)
    categories = {c.slug: c for c in Category.objects.filter(slug__in=ALL_CATEGORIES)}
    made, places, stems = [], {}, {}
    for i in range(ROWS):
        lon, lat = PLACES[i % len(PLACES)]
        lon = round(lon + SPREAD[i // len(PLACES)], 6)
        title, text, row_stems = _words(rng)
        author = users[i % len(users)]
        priority = services.priority_create(
            author=author,
            point=lon_lat_point(lon, lat),
            category=categories[USED_CATEGORIES[(i * 5) % len(USED_CATEGORIES)]],
            title=title,
            text=text,
        )
        Priority.all_objects.filter(pk=priority.pk).update(created_at=_created_at(i))
        for supporter in [u for u in users if u != author][: (i * 3) % 7]:
            services.support_add(priority=priority, user=supporter)
        if i % 4 == 1:
            status, case = ANSWERS[(i // 4) % len(ANSWERS)]
            services.input_set_status(
                records=[priority],
                status=status,
                public_text="Takk, vi ser på dette.",
                actor=planner,
                case_number=case,
            )
        if i % 8 == 5:  # answered again, under another case
            priority.refresh_from_db()
            services.input_set_status(
                records=[priority],
                status=Status.DECIDED,
                public_text="Vedtatt i planutvalget.",
                actor=planner,
                case_number="2026/8",
            )
        made.append(priority)
        places[priority.pk] = (lon, lat)
        stems[priority.pk] = row_stems

    # A withdrawn support, a hidden priority (with a case) and a merged duplicate.
    services.support_withdraw(priority=made[3], user=[u for u in users if u != made[3].author][0])
    services.priority_moderate(
        priority=made[HIDDEN_ROW], moderator=moderator, hide=True, reason="Personopplysninger."
    )
    services.priority_merge(target=made[MERGE_TARGET], duplicates=[made[MERGED_ROW]], actor=planner)

    links: dict[int, set[int]] = {}
    for priority_id, area_id in Priority.areas.through.objects.values_list(
        "priority_id", "area_id"
    ):
        links.setdefault(priority_id, set()).add(area_id)
    cases: dict[int, set[str]] = {}
    for priority_id, case in PriorityStatusChange.objects.values_list("record_id", "case_number"):
        if case:
            cases.setdefault(priority_id, set()).add(case)
    supports: dict[int, int] = {}
    for priority_id in Support.objects.filter(withdrawn_at=None).values_list(
        "priority_id", flat=True
    ):
        supports[priority_id] = supports.get(priority_id, 0) + 1
    rows = []
    for p in Priority.all_objects.select_related("category", "municipality").order_by("id"):
        assert p.support_count == supports.get(p.pk, 0)  # the counter agrees with the rows
        rows.append(
            Row(
                id=p.pk,
                reference=p.reference,
                lon=places[p.pk][0],
                lat=places[p.pk][1],
                category=p.category.slug,
                status=p.status,
                support_count=p.support_count,
                created_at=p.created_at,
                answered=p.first_answered_at is not None,
                public=p.visibility == "public",
                municipality=p.municipality.code,
                stems=stems[p.pk],
                areas=links.get(p.pk, set()),
                cases=cases.get(p.pk, set()),
            )
        )
    areas = {
        a.pk: (a.type.slug, a.parent_id)
        for a in Area.objects.filter(municipality__code="1804").select_related("type")
    }
    dates = sorted({r.created_at.astimezone(OSLO).date() for r in rows})
    return DataSet(rows=rows, areas=areas, dates=dates)


@pytest.fixture
def data():
    data_set = build_data_set()
    skolekretser = {
        a for r in data_set.rows for a in r.areas if data_set.areas[a][0] == "skolekrets"
    }
    assert len(data_set.rows) == ROWS and len(skolekretser) == 9
    assert sum(not r.public for r in data_set.rows) == 2
    return data_set


# --- the oracle -------------------------------------------------------------------


def matches_q(row: Row, q: tuple) -> bool:
    kind, words = q
    present = [VOCABULARY[w.lower()] in row.stems for w in words]
    if kind == "one":
        return present[0]
    if kind == "and":
        return present[0] and present[1]
    if kind == "or":
        return present[0] or present[1]
    if kind == "not":
        return present[0] and not present[1]
    return True  # blank: no search


def q_text(q: tuple) -> str:
    kind, words = q
    return {
        "one": "{}",
        "and": "{} {}",
        "or": "{} or {}",
        "not": "{} -{}",
        "blank": "   ",
    }[kind].format(*words)


def oracle(data: DataSet, filters: dict, ordering: str | None) -> list[Row]:
    """The rows the API must return, in order, computed in plain Python."""

    def keep(row: Row) -> bool:
        if not row.public:
            return False
        if "municipality" in filters and row.municipality != filters["municipality"]:
            return False
        if "area" in filters:
            tree = {filters["area"]} | {
                a for a, (_, parent) in data.areas.items() if parent == filters["area"]
            }
            if not row.areas & tree:
                return False
        if "area_type" in filters and not any(
            data.areas.get(a, ("",))[0] == filters["area_type"] for a in row.areas
        ):
            return False
        if "category" in filters and row.category != filters["category"]:
            return False
        if "status" in filters and row.status != filters["status"]:
            return False
        if "bbox" in filters:
            west, south, east, north = filters["bbox"]
            if not (west <= row.lon <= east and south <= row.lat <= north):
                return False
        local_date = row.created_at.astimezone(OSLO).date()
        if "since" in filters and local_date < filters["since"]:
            return False
        if "until" in filters and local_date > filters["until"]:
            return False
        if "q" in filters and not matches_q(row, filters["q"]):
            return False
        if "min_support" in filters and row.support_count < filters["min_support"]:
            return False
        if "answered" in filters and row.answered != filters["answered"]:
            return False
        return not ("case" in filters and filters["case"] not in row.cases)

    field_name = (ordering or "-created_at").lstrip("-")
    descending = (ordering or "-created_at").startswith("-")
    rows = [r for r in data.rows if keep(r)]
    return sorted(rows, key=lambda r: getattr(r, field_name), reverse=descending)


def assert_same_order(got: list[str], expected: list[Row], ordering: str | None) -> None:
    """The same rows, in the order of the ordering field; equal values in a steady id order."""
    field_name = (ordering or "-created_at").lstrip("-")
    by_reference = {r.reference: r for r in expected}
    assert len(got) == len(set(got)), "a row came twice"
    assert set(got) == set(by_reference)
    rows = [by_reference[ref] for ref in got]
    assert [getattr(r, field_name) for r in rows] == [getattr(r, field_name) for r in expected]
    steps = {
        (a.id < b.id)
        for a, b in zip(rows, rows[1:], strict=False)
        if getattr(a, field_name) == getattr(b, field_name)
    }
    assert len(steps) <= 1, "equal values in no steady order"


def query_params(filters: dict) -> dict[str, str]:
    """The filters as the planner's UI sends them."""
    params = {}
    for key, value in filters.items():
        if key == "bbox":
            params[key] = ",".join(repr(v) for v in value)
        elif key == "q":
            params[key] = q_text(value)
        elif key == "answered":
            params[key] = "true" if value else "false"
        elif isinstance(value, datetime.date):
            params[key] = value.isoformat()
        else:
            params[key] = str(value)
    return params


# --- strategies -------------------------------------------------------------------


def words():
    def spell(word, style):
        return {"lower": word, "title": word.capitalize(), "upper": word.upper()}[style]

    return st.builds(
        spell, st.sampled_from(sorted(VOCABULARY)), st.sampled_from(["lower", "title", "upper"])
    )


searches = st.one_of(
    st.tuples(st.just("one"), st.tuples(words())),
    st.tuples(st.sampled_from(["and", "or", "not"]), st.tuples(words(), words())),
    st.just(("blank", ())),
)

# Box edges on a 0.01° grid over Bodø (and beyond it, where nothing is).
LONS = [round(13.80 + i / 100, 2) for i in range(151)]  # 13.80 .. 15.30
LATS = [round(67.05 + i / 100, 2) for i in range(56)]  # 67.05 .. 67.60


@st.composite
def boxes(draw):
    west = draw(st.sampled_from(LONS[:-1]))
    east = draw(st.sampled_from([lon for lon in LONS if lon > west]))
    south = draw(st.sampled_from(LATS[:-1]))
    north = draw(st.sampled_from([lat for lat in LATS if lat > south]))
    return (west, south, east, north)


# Distances from a data point to a box edge: never a multiple of 0.001°, which every
# difference between two data points' coordinates is, so no edge is within 1 m of a point.
# Negative: the point is outside that edge. East-west reaches up to 1°, for wide boxes.
LON_OFFSETS = [1e-5, -1e-5, 1e-4, -1e-4, 0.0123, 0.3003, 1.0007]
LAT_OFFSETS = [1e-5, -1e-5, 1e-4, -1e-4, 5e-4, -5e-4, 0.0123, 0.3003]


@st.composite
def hugging_boxes(draw, data: DataSet):
    """A box with each edge just inside or just outside a data point, or far from it."""
    row = draw(st.sampled_from(data.rows))
    lon_offset, lat_offset = st.sampled_from(LON_OFFSETS), st.sampled_from(LAT_OFFSETS)
    west, east = sorted(
        (round(row.lon - draw(lon_offset), 6), round(row.lon + draw(lon_offset), 6))
    )
    south, north = sorted(
        (round(row.lat - draw(lat_offset), 6), round(row.lat + draw(lat_offset), 6))
    )
    assume(west < east and south < north)
    return (west, south, east, north)


def dates(data: DataSet):
    near = sorted({d + datetime.timedelta(days=k) for d in data.dates for k in (-1, 0, 1)})
    return st.one_of(
        st.sampled_from(data.dates),  # a priority's own (Oslo) day: the midnight cases
        st.sampled_from(near),
        st.dates(datetime.date(2024, 12, 1), datetime.date(2026, 3, 1)),
    )


@st.composite
def filter_sets(draw, data: DataSet):
    candidates = {
        "municipality": st.sampled_from(["1804", "1833"]),
        "area": st.sampled_from(sorted(data.areas)),
        "area_type": st.sampled_from(["kommune", "skolekrets", "grend"]),
        "category": st.sampled_from(ALL_CATEGORIES),
        "status": st.sampled_from(Status.values),
        "bbox": st.one_of(
            boxes(),
            hugging_boxes(data),
            st.just((10.7, 59.9, 10.8, 59.95)),  # Oslo: nothing
        ),
        "since": dates(data),
        "until": dates(data),
        "q": searches,
        "min_support": st.integers(0, 8),
        "answered": st.booleans(),
        "case": st.sampled_from(CASES),
    }
    how_many = draw(st.integers(0, 4))
    chosen = draw(st.permutations(sorted(candidates)))[:how_many]
    return {key: draw(candidates[key]) for key in sorted(chosen)}


# --- walking the API --------------------------------------------------------------


def get(client, url, params=None):
    if url.startswith("http"):
        parts = urlsplit(url)
        url = f"{parts.path}?{parts.query}"
    response = client.get(url, params)
    return response.status_code, response.json()


def walk(client, params: dict, page_size: int) -> tuple[list[str], list[list[str]], dict]:
    """All pages, following ``next``: the references in order, the pages, the first body."""
    status, body = get(client, URL, {**params, "page_size": page_size})
    assert status == 200, body
    first, pages, seen_urls = body, [], set()
    while True:
        page = [f["properties"]["reference"] for f in body["features"]]
        assert len(page) <= page_size
        pages.append(page)
        if not body["next"]:
            break
        assert body["next"] not in seen_urls, "the next link goes round in a circle"
        seen_urls.add(body["next"])
        assert len(pages) <= ROWS + 1
        status, body = get(client, body["next"])
        assert status == 200, body
    pages_back = [pages[-1]]
    while body["previous"]:
        assert len(pages_back) <= ROWS + 1
        status, body = get(client, body["previous"])
        assert status == 200, body
        pages_back.append([f["properties"]["reference"] for f in body["features"]])
    return [ref for page in pages for ref in page], pages_back, first


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.data())
def test_every_filter_combination_gives_exactly_the_right_rows(client, data, drawn):
    filters = drawn.draw(filter_sets(data), label="filters")
    ordering = drawn.draw(
        st.sampled_from([None, "created_at", "-created_at", "support_count", "-support_count"]),
        label="ordering",
    )
    page_size = drawn.draw(st.sampled_from([7, 7, 4, 500]), label="page_size")
    params = query_params(filters)
    if ordering:
        params["ordering"] = ordering

    if "since" in filters and "until" in filters and filters["since"] > filters["until"]:
        status, body = get(client, URL, params)
        assert status == 400 and "until" in body["errors"]
        return

    expected = oracle(data, filters, ordering)
    event(
        "rows: "
        + ("none" if not expected else "one page" if len(expected) <= page_size else "pages")
    )
    got, pages_back, first = walk(client, params, page_size)

    assert_same_order(got, expected, ordering)
    assert first["count"] == len(expected) and first["count_is_estimate"] is False
    # The ``previous`` links, followed back from the last page, retrace the same pages.
    forward = [got[i : i + page_size] for i in range(0, len(got), page_size)] or [[]]
    assert pages_back == forward[::-1]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.data())
def test_bbox_holds_exactly_the_points_inside(client, data, drawn):
    """Boxes hugging a point (edges 1 m to 1° away, either side): the lon/lat rectangle,
    with straight parallels and meridians, is what counts."""
    box = drawn.draw(hugging_boxes(data), label="bbox")

    got, _, _ = walk(client, query_params({"bbox": box}), 500)

    assert_same_order(got, oracle(data, {"bbox": box}, None), None)


def test_the_stem_table_is_what_postgresql_does(data):
    """The oracle's stem table, and that each priority carries exactly its stems."""
    with connection.cursor() as cursor:
        for word, stem in VOCABULARY.items():
            cursor.execute("SELECT tsvector_to_array(to_tsvector('norwegian', %s))", [word])
            assert cursor.fetchone()[0] == [stem], word
        cursor.execute("SELECT tsvector_to_array(to_tsvector('norwegian', %s))", [FILLER])
        assert not set(cursor.fetchone()[0]) & set(VOCABULARY.values())
        cursor.execute(
            "SELECT id, tsvector_to_array(search_vector) FROM priorities_priority ORDER BY id"
        )
        lexemes = dict(cursor.fetchall())
    vocabulary_stems = set(VOCABULARY.values())
    for row in data.rows:
        assert set(lexemes[row.id]) & vocabulary_stems == row.stems, row.reference


@pytest.mark.parametrize(
    ("q", "finds", "misses"),
    [
        ("skole", "Skolene ved krysset", "Skoleveien er mørk"),
        ("SKOLEN", "Skole og barnehage", "Skolebussen er full"),
        ("krysset", "Farlig kryss", "Fortauet mangler"),
        ("lekeplasser", "Ny lekeplass", "Benker ved lekeområdet"),
        ("møteplass", "Møteplassen på torget", "Plass til å møtes"),
        ("sykkelvei", "Sykkelveien stopper brått", "Sykkel på veien"),
    ],
)
def test_norwegian_stemming_in_the_api(client, q, finds, misses):
    """A few stems explicitly, through the API: an inflected form finds the others."""
    author = UserFactory(password=None)
    category = Category.objects.get(slug="annet")
    for title in (finds, misses):
        services.priority_create(
            author=author,
            point=lon_lat_point(14.385, 67.285),
            category=category,
            title=title,
            text="Dette trengs her.",
        )

    body = client.get(URL, {"q": q}).json()

    assert [f["properties"]["title"] for f in body["features"]] == [finds]


def test_bbox_edge_is_a_parallel(client):
    """A point 0.002° (≈220 m) north of a 2°-wide box's south edge is inside the box.

    Regression: the box was transformed to UTM 33 by its corners, which cut this off."""
    author = UserFactory(password=None)
    priority = services.priority_create(
        author=author,
        point=lon_lat_point(14.385, 67.283),
        category=Category.objects.get(slug="annet"),
        title="Ved kanten av kartet",
        text="Dette ligger innenfor kartutsnittet.",
    )

    body = client.get(URL, {"bbox": "13.5,67.281,15.5,67.6"}).json()

    assert [f["properties"]["reference"] for f in body["features"]] == [priority.reference]


@pytest.mark.parametrize(
    "ordering", ["support_count", "-support_count", "created_at", "-created_at"]
)
def test_previous_links_with_ties(client, ordering):
    """Five priorities without supports (and, for created_at, made at the same instant),
    two a page: walking back from the last page must show the same pages.

    Regression: DRF's CursorPagination keyed its cursor on the first ordering field only;
    from the last page [1], ``previous`` gave [4, 3] and then [5], never showing 2
    (encode/django-rest-framework#7887, #7709)."""
    author = UserFactory(password=None)
    for n in range(5):
        services.priority_create(
            author=author,
            point=lon_lat_point(14.385, 67.285),
            category=Category.objects.get(slug="annet"),
            title=f"Forslag {n}",
            text="Ingen har støttet dette ennå.",
        )
    if "created_at" in ordering:
        Priority.all_objects.update(created_at=datetime.datetime(2025, 6, 1, 12, tzinfo=UTC))

    got, pages_back, _ = walk(client, {"ordering": ordering}, 2)

    assert len(set(got)) == 5
    assert pages_back == [got[4:], got[2:4], got[0:2]], (got, pages_back)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lon=st.floats(14.37, 14.40, allow_nan=False, allow_infinity=False),
    lat=st.floats(67.275, 67.29, allow_nan=False, allow_infinity=False),
)
def test_coordinates_come_back_as_they_went_in(client, django_user_model, lon, lat):
    """GeoJSON out equals GeoJSON in to 7 decimals, longitude first (UTM 33 and back)."""
    cache.clear()  # rate limits: each example is a fresh request budget
    user = django_user_model.objects.filter(username="koordinater").first()
    if user is None:
        user = UserFactory(username="koordinater", password=None)
    client.force_login(user)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "category": "annet",
            "title": "Punkt",
            "text": "Et punkt i Bodø sentrum.",
        },
    }

    response = client.post(URL, feature, content_type="application/json")

    assume(response.status_code != 400 or "geometry" not in response.json()["errors"])  # in the sea
    assert response.status_code == 201, response.content
    created = response.json()
    detail = client.get(f"{URL}{created['id']}/").json()
    for body in (created, detail):
        out_lon, out_lat = body["geometry"]["coordinates"]
        assert abs(out_lon - lon) <= 0.5e-7 + 1e-9, (lon, out_lon)
        assert abs(out_lat - lat) <= 0.5e-7 + 1e-9, (lat, out_lat)
