"""Population counts (the upload and its bad forms) and the comparison of participants with
the population: against a hand-computed example, small numbers withheld in public, the
case digest's section in HTML, JSON and the frozen PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Role
from areas.models import Area, AreaType, Municipality, PopulationCount, PopulationUpload
from areas.population import age_group_of, population_replace, read_counts
from cases import representation as rep
from cases import services
from cases.digests import case_digest
from priorities import services as loop
from tests.cases.factories import make_case
from tests.priorities.factories import BODO_CENTRE, MISVAER, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db

GROUPS = ["0-12", "13-19", "20-39", "40-66", "67+"]


def _skolekrets_of(priority) -> Area:
    return priority.areas.get(type__slug="skolekrets")


def _csv(rows, *, header="område;alder;år;antall", sep=";") -> bytes:
    lines = [header] + [sep.join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("0-12", "0-12"),
        ("67+", "67+"),
        ("0", "0-12"),
        ("037 37 år", "20-39"),
        ("66", "40-66"),
        ("67", "67+"),
        ("105 år eller eldre", "67+"),
        ("20-24 år", "20-39"),
        ("90 år eller eldre", "67+"),
        ("13–19", "13-19"),
        ("65-69 år", None),  # across 40-66 and 67+
        ("barn", None),
        ("-3", None),
    ],
)
def test_ages_groups_and_bands_map_to_the_groups(text, group):
    assert age_group_of(text) == group


def _setup_counts(year=2027):
    """Hand-made counts for two demo school districts (centre 1,000, Misvær 600)."""
    bodo = Municipality.objects.get(code="1804")
    skolekrets = AreaType.objects.get(slug="skolekrets")
    centre = Area.objects.current().get(type=skolekrets, code="1804-SK01")
    misvaer = Area.objects.current().get(type=skolekrets, code="1804-SK08")
    rows = [
        (centre.code, g, year, n) for g, n in zip(GROUPS, [100, 50, 300, 400, 150], strict=True)
    ]
    rows += [
        (misvaer.name, g, year, n) for g, n in zip(GROUPS, [100, 100, 100, 100, 200], strict=True)
    ]
    data = _csv(rows)
    parsed = read_counts(data, bodo, skolekrets)
    assert not parsed.errors
    population_replace(
        municipality=bodo,
        area_type=skolekrets,
        parsed=parsed,
        source="Test",
        file_name="t.csv",
        data=data,
    )
    return bodo, skolekrets, centre, misvaer


def test_the_comparison_against_a_hand_computed_example():
    bodo, skolekrets, centre, misvaer = _setup_counts()
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    first = make_priority(a, at=BODO_CENTRE, title="Lys i krysset")
    make_priority(b, at=BODO_CENTRE, title="Benk ved bussen")
    loop.support_add(priority=first, user=b)  # b is counted once in the centre
    far = make_priority(c, at=MISVAER, title="Gatelys i Misvær")
    assert _skolekrets_of(first) == centre and _skolekrets_of(far) == misvaer

    result = rep.representation(bodo, skolekrets)
    assert result.year == 2027 and result.population == 1600
    rows = {row.id: row for row in result.rows}
    assert (rows[centre.pk].population, rows[centre.pk].participants) == (1000, 2)
    assert (rows[misvaer.pk].population, rows[misvaer.pk].participants) == (600, 1)
    assert rows[centre.pk].rate == pytest.approx(2.0)
    assert rows[misvaer.pk].rate == pytest.approx(1000 / 600)
    assert rows[centre.pk].share_population == pytest.approx(0.625)
    assert rows[centre.pk].share_participants == pytest.approx(2 / 3)
    assert rows[centre.pk].ratio == pytest.approx((2 / 3) / 0.625)
    assert result.participants == 3
    # Areas without counts are there, with no population and no rate.
    others = [row for row in result.rows if row.id not in (centre.pk, misvaer.pk)]
    assert others and all(row.population == 0 and row.rate is None for row in others)
    # Residents' accounts have no age: the age groups' participants are not known.
    assert [age.participants for age in result.by_age] == [None] * 5
    assert [age.population for age in result.by_age] == [200, 150, 400, 500, 350]

    # A caller's own counts per (area, age group), as a panel passes its members.
    panel = rep.representation(
        bodo, skolekrets, participants={(centre.pk, "20-39"): 6, (misvaer.pk, "67+"): 2}
    )
    prows = {row.id: row for row in panel.rows}
    assert prows[centre.pk].participants == 6
    assert prows[centre.pk].by_age["20-39"].participants == 6
    assert prows[centre.pk].by_age["67+"].participants == 0
    assert [age.participants for age in panel.by_age] == [0, 0, 6, 0, 2]


def test_small_numbers_are_withheld_in_public_and_cannot_be_subtracted():
    bodo, skolekrets, centre, misvaer = _setup_counts()
    users = [UserFactory() for _ in range(7)]
    for user in users[:6]:
        make_priority(user, at=BODO_CENTRE)
    make_priority(users[6], at=MISVAER)
    result = rep.representation(bodo, skolekrets)
    public = {row["id"]: row for row in result.as_data(public=True)["rows"]}
    staff_view = {row["id"]: row for row in result.as_data(public=False)["rows"]}
    assert staff_view[misvaer.pk]["participants"] == 1
    assert public[misvaer.pk]["participants"] is None
    assert public[misvaer.pk]["rate"] is None and "participants" in public[misvaer.pk]["withheld"]
    # Misvær alone would be total minus the centre: the centre is withheld too.
    assert public[centre.pk]["participants"] is None
    assert result.as_data(public=True)["participants"] == 7


def _upload(
    client, data, *, name="befolkning.csv", type_slug="skolekrets", source="SSB 07459", year=""
):
    skolekrets = AreaType.objects.get(slug=type_slug)
    return client.post(
        reverse("cases:population", args=["1804"]),
        {
            "area_type": skolekrets.pk,
            "source": source,
            "year": year,
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def test_a_planner_uploads_ssb_style_counts_and_a_new_file_replaces_the_year(client):
    client.force_login(staff(Role.PLANNER))
    before = PopulationUpload.objects.count()
    # SSB's export: a title line, quoted headers, sexes and single years, a count column
    # per year, Windows-1252.
    text = (
        '"07459: Befolkning, etter region, kjønn, alder og år"\r\n\r\n'
        '"region";"kjønn";"alder";"Personer 2027"\r\n'
        '"1804-SK01 Bodø sentrum skolekrets (demo)";"Menn";"037 37 år";"10"\r\n'
        '"1804-SK01 Bodø sentrum skolekrets (demo)";"Kvinner";"037 37 år";"12"\r\n'
        '"1804-SK01 Bodø sentrum skolekrets (demo)";"Kvinner";"038 38 år";"3"\r\n'
        '"Misvær skolekrets (demo)";"Kvinner";"90 år eller eldre";"4"\r\n'
    )
    response = _upload(client, text.encode("cp1252"))
    assert response.status_code == 302, response.content.decode()[:3000]
    upload = PopulationUpload.objects.get(year=2027, replaced_at__isnull=True)
    counts = dict(PopulationCount.objects.filter(upload=upload).values_list("area__code", "count"))
    assert counts == {"1804-SK01": 25, "1804-SK08": 4}
    # Again for 2027, with a comma and a BOM: the earlier one is kept, replaced.
    again = "\ufeffområde,alder,år,antall\n1804-SK01,20-39,2027,30\n".encode()
    assert _upload(client, again).status_code == 302
    assert PopulationUpload.objects.count() == before + 2
    assert PopulationUpload.objects.filter(year=2027, replaced_at__isnull=True).count() == 1
    upload.refresh_from_db()
    assert upload.replaced_at is not None
    assert PopulationCount.objects.in_force().filter(upload__year=2027).get().count == 30


BAD_ROWS = _csv(
    [
        ("1804-SK01", "20-39", 2027, 10),  # good
        ("Atlantis", "20-39", 2027, 10),  # unknown area
        ("1804-SK02", "20-39", 2027, -4),  # negative
        ("1804-SK03", "20-39", 2027, "12,5"),  # not a whole number
        ("1804-SK04", "voksne", 2027, 3),  # unknown age group
        ("1804-SK01", "20-39", 2027, 11),  # duplicate of line 2
    ]
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            [
                "ingen Skolekrets som heter «Atlantis»",
                "«-4»",
                "«12,5»",
                "«voksne»",
                "samme som linje 2",
            ],
        ),
        (
            "en",
            [
                "no School district called “Atlantis”",
                "“-4”",
                "“12,5”",
                "“voksne”",
                "the same as line 2",
            ],
        ),
    ],
)
def test_a_file_with_bad_rows_names_each_and_writes_nothing(client, language, expected):
    client.force_login(staff(Role.PLANNER))
    before = (PopulationUpload.objects.count(), PopulationCount.objects.count())
    with translation.override(language):
        client.cookies["django_language"] = language
        response = _upload(client, BAD_ROWS)
    assert response.status_code == 400
    page = response.content.decode()
    for line, text in zip((3, 4, 5, 6, 7), expected, strict=True):
        assert f"{line}: " in page and text in page, text
    assert "error-summary" in page
    assert (PopulationUpload.objects.count(), PopulationCount.objects.count()) == before


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", 400, "ikke en CSV-tekstfil"),
        (b"navn;verdi\nx;1\n", 400, "Fant ingen overskrift"),
        (b"omr\xe5de;alder;antall\n1804-SK01;20-39;5\n", 400, "oppgi året i skjemaet"),
        (b"omr\xe5de;alder;\xe5r;antall\n", 400, "ingen rader"),
        (b"x" * (5 * 1024 * 1024 + 1), 413, "større enn 5 MB"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(client, data, status, message):
    client.force_login(staff(Role.PLANNER))
    before = PopulationUpload.objects.count()
    response = _upload(client, data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert PopulationUpload.objects.count() == before


def test_only_the_municipalitys_planners_upload(client):
    url = reverse("cases:population", args=["1804"])
    assert client.get(url).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(staff(Role.PLANNER, code="1804"))
    assert client.get(url).status_code == 200


def test_the_public_page_withholds_and_the_planner_sees_the_numbers(client):
    _bodo, _type, centre, misvaer = _setup_counts()
    make_priority(UserFactory(), at=MISVAER)
    url = reverse("cases:representation", args=["1804"]) + "?type=skolekrets"
    page = client.get(url).content.decode()
    assert "færre enn 5" in page and "representation-map" in page
    assert "representation-legend" in page
    client.force_login(staff(Role.PLANNER))
    page = client.get(url).content.decode()
    assert "færre enn 5" not in page
    assert client.get(url.replace("skolekrets", "ukjent")).status_code == 400


def test_the_case_digest_compares_its_areas_in_html_json_and_pdf(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _setup_counts()
    planner = staff(Role.PLANNER)
    case = make_case(planner)
    for _ in range(6):
        make_priority(UserFactory(), at=BODO_CENTRE)
    section = next(s for s in case_digest(case)["sections"] if s["key"] == "representation")
    part = section["data"]["types"][0]
    centre = next(row for row in part["data"]["rows"] if row["code"] == "1804-SK01")
    assert (centre["population"], centre["participants"]) == (1000, 6)
    html = client.get(reverse("cases:digest", args=[case.pk])).content.decode()
    assert "Hvem som deltok, mot hvem som bor der" in html
    frozen = services.digest_freeze(actor=planner, case=case)
    # The frozen digest's JSON keeps the section as it was shown (small counts withheld).
    stored = next(s for s in frozen.data["sections"] if s["key"] == "representation")
    rows = stored["data"]["types"][0]["data"]["rows"]
    assert next(r for r in rows if r["code"] == "1804-SK01")["participants"] == 6
    assert "Hvem som deltok, mot hvem som bor der" in frozen.html
    text = "".join(page.extract_text() for page in PdfReader(frozen.pdf.file.open("rb")).pages)
    assert "Hvem som deltok, mot hvem som bor der" in text
    section_text = text[text.index("Hvem som deltok, mot hvem som bor der") :]
    assert "Bodø sentrum skolekrets (demo)" in section_text and "Per 1000" in section_text


def test_a_meetings_participants_count_by_age_group_and_its_recorder_does_not():
    from meetings.services import meeting_input_record
    from tests.meetings.factories import make_meeting

    bodo, skolekrets, centre, _misvaer = _setup_counts()
    planner = staff(Role.PLANNER)
    meeting = make_meeting(planner)
    meeting_input_record(
        actor=planner,
        meeting=meeting,
        title="Det som ble sagt",
        notes="Flere ønsket lavere fart i Storgata.",
        counts={"13-19": 7, "67+": 3},
    )
    resident = UserFactory()
    make_priority(resident, at=BODO_CENTRE)
    result = rep.representation(bodo, skolekrets)
    row = next(row for row in result.rows if row.id == centre.pk)
    assert meeting.areas.filter(pk=centre.pk).exists()
    assert row.participants == 1 + 7 + 3  # the resident and the meeting's 10, not the planner
    assert row.by_age["13-19"].participants == 7 and row.by_age["0-12"].participants == 0
    assert result.anonymous == 10
