"""The budget's pages: a planner creates a budget and imports versions (a bad file gets a
row-level report and writes nothing); everyone reads the charts and tables, in nb, nn and
en; the API gives the same sums with a decimal point."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from areas.models import Area, Municipality
from budgets.models import Budget, BudgetAmount, BudgetLine, BudgetVersion, Sector, SectorTotal
from tests.budgets.factories import ROWS, csv_bytes, import_version, make_budget, xlsx_bytes
from tests.cases.factories import make_case
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def upload(data: bytes, name="budsjett.csv", content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type)


def nothing_written():
    return not (
        BudgetVersion.objects.exists()
        or BudgetLine.objects.exists()
        or BudgetAmount.objects.exists()
        or Sector.objects.exists()
    )


def test_a_planner_creates_a_budget_and_imports_a_csv_and_an_xlsx(client, planner):
    case = make_case(planner, number="2026/1701")
    client.force_login(planner)
    assert client.get(reverse("budgets:new", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("budgets:new", args=[case.pk]), {"title": "Budsjett 2027", "first_year": "2027"}
    )
    budget = Budget.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "budgets:import", args=[budget.pk]
    )
    response = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "label": "", "file": upload(csv_bytes())},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:version", args=[budget.pk, "proposal"])
    response = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "adopted", "file": upload(xlsx_bytes(), "vedtatt.xlsx", XLSX)},
    )
    assert response.status_code == 302
    assert list(budget.versions.values_list("stage", flat=True)) == ["proposal", "adopted"]
    assert BudgetLine.objects.count() == 10 and BudgetAmount.objects.count() == 40
    assert budget.sectors.count() == 3  # shared by the versions
    fees = BudgetLine.objects.filter(name="Foreldrebetaling SFO").first()
    assert fees.income and fees.amounts.get(year=2027).amount == Decimal("-50000")


def test_a_bad_file_gets_a_report_by_row_and_column_and_writes_nothing(client, planner):
    budget = make_budget(planner)
    client.force_login(planner)
    rows = [*ROWS, ["Kultur", "", "Kulturhus", "", "mye", "1", "1", "1", ""]]
    response = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "file": upload(csv_bytes(rows))},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Filen har 1 feil; ingenting ble importert" in page
    assert "<td>7</td><td>2027</td><td>«mye» er ikke et beløp" in page
    assert 'class="error-summary"' in page and nothing_written()

    in_language(client, "nn")
    page = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "file": upload(csv_bytes(rows))},
    ).content.decode()
    assert "Fila har 1 feil; ingenting vart importert" in page and "er ikkje eit beløp" in page
    in_language(client, "en")
    page = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "file": upload(csv_bytes(rows))},
    ).content.decode()
    assert "“mye” is not an amount" in page and nothing_written()


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "budsjett.xlsx", 400, "verken en XLSX-arbeidsbok"),
        (b"PK\x03\x04broken", "budsjett.xlsx", 400, "ikke en lesbar XLSX"),
        (b"x" * 3_000_000, "budsjett.csv", 413, "større enn 2 MB"),
    ],
)
def test_files_that_are_not_budgets_are_refused(
    client, planner, settings, data, name, status, message
):
    settings.NABOLAGET_BUDGET_MAX_BYTES = 2_000_000
    budget = make_budget(planner)
    client.force_login(planner)
    response = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "file": upload(data, name, XLSX)},
    )
    assert response.status_code == status
    assert message in response.content.decode() and nothing_written()


def test_a_stage_is_imported_once_and_never_replaced(client, planner):
    budget = make_budget(planner)
    first = import_version(budget)
    client.force_login(planner)
    other = [["Kultur", "", "Nytt", "", "1", "1", "1", "1", ""]]
    response = client.post(
        reverse("budgets:import", args=[budget.pk]),
        {"stage": "proposal", "file": upload(csv_bytes(other))},
    )
    assert response.status_code == 400
    assert "kan ha lest det" in response.content.decode()
    assert list(BudgetVersion.objects.all()) == [first] and first.lines.count() == 5


def test_only_the_municipalitys_planners_create_and_import(client, planner):
    budget = make_budget(planner)
    for user in (UserFactory(), staff(Role.COUNCILLOR)):
        client.force_login(user)
        assert client.get(reverse("budgets:import", args=[budget.pk])).status_code == 403
        response = client.post(
            reverse("budgets:import", args=[budget.pk]),
            {"stage": "proposal", "file": upload(csv_bytes())},
        )
        assert response.status_code == 403
        assert client.get(reverse("budgets:new", args=[budget.case_id])).status_code == 403
    client.logout()
    assert client.get(reverse("budgets:import", args=[budget.pk])).status_code == 302
    assert nothing_written()


def test_bad_forms_are_answered_in_the_users_language(client, planner):
    case = make_case(planner, number="2026/1702")
    client.force_login(planner)
    response = client.post(
        reverse("budgets:new", args=[case.pk]), {"title": "B", "first_year": "1999"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Oppgi et år fra" in page and 'class="error-summary"' in page
    in_language(client, "nn")
    page = client.post(
        reverse("budgets:new", args=[case.pk]), {"title": "Budsjett", "first_year": "x"}
    ).content.decode()
    assert "Skriv inn eit heiltal" in page or "heiltal" in page
    assert not Budget.objects.exists()


@pytest.fixture
def shown(planner):
    municipality = Municipality.objects.get(code="1804")
    municipality.population = 53_000
    municipality.save(update_fields=["population"])
    area = Area.objects.choosable("1804").first()
    budget = make_budget(planner)
    rows = [*ROWS, ["Oppvekst", "202", "Skole i området", "", "100 000", "1", "1", "1", area.name]]
    header = ["Sektor", "KOSTRA", "Linje", "Art", "2026", "2027", "2028", "2029", "2030", "Område"]
    previous = [[*row[:4], "1 000 000", *row[4:]] for row in rows]
    import_version(budget, csv_bytes(previous, header=header), stage="previous")
    import_version(budget, csv_bytes(rows), stage="proposal")
    return budget, area


def test_the_budget_page_shows_charts_and_tables_formatted_for_each_language(client, shown):
    budget, _area = shown
    page = client.get(reverse("budgets:detail", args=[budget.pk])).content.decode()
    # Oppvekst 2027: 1 234 567 + 800 000,50 - 50 000 + 100 000 = 2 084 567,50
    assert "2\xa0084\xa0568\xa0kr" in page
    assert 'role="img"' in page and "Flatediagram" in page and "Stolpediagram" in page
    assert "Per innbygger" in page and "39\xa0kr" in page  # 2 084 568 / 53 000
    # The change against last year's adopted budget's 2026: 4 × 1 000 000 in Oppvekst.
    assert "−1\xa0915\xa0432\xa0kr" in page
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        attributes = re.findall(r'\s(?:x|y|width|height|viewBox)="([^"]*)"', svg)
        assert attributes and all("," not in value for value in attributes)
        assert all(re.fullmatch(r"[-0-9. ]+", value) for value in attributes)
    in_language(client, "nn")
    page = client.get(reverse("budgets:detail", args=[budget.pk])).content.decode()
    assert "Per innbyggjar" in page and "2\xa0084\xa0568\xa0kr" in page
    in_language(client, "en")
    page = client.get(reverse("budgets:detail", args=[budget.pk])).content.decode()
    assert "NOK\xa02,084,568" in page and "Per resident" in page


def test_sector_area_and_comparison_pages(client, shown):
    budget, area = shown
    sector = budget.sectors.get(name="Oppvekst")
    page = client.get(reverse("budgets:sector", args=[budget.pk, "proposal", sector.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Grunnskole" in text and "Foreldrebetaling SFO" in text and "inntekt" in text
    text = client.get(reverse("budgets:areas", args=[budget.pk, "proposal"])).content.decode()
    assert area.name in text and "100\xa0000\xa0kr" in text
    text = client.get(reverse("budgets:compare", args=[budget.pk])).content.decode()
    assert "Fjorårets vedtatte budsjett" in text and "Administrasjonens forslag" in text
    assert (
        client.get(reverse("budgets:compare", args=[budget.pk]) + "?year=1900").status_code == 400
    )
    assert client.get(reverse("budgets:detail", args=[budget.pk]) + "?year=abc").status_code == 400
    assert client.get(reverse("budgets:version", args=[budget.pk, "adopted"])).status_code == 404
    other = make_budget(number="2026/1709")
    url = reverse("budgets:sector", args=[other.pk, "proposal", sector.pk])
    assert client.get(url).status_code == 404


def test_an_illustrative_budget_says_so_and_a_missing_population_is_said(client, planner):
    budget = make_budget(planner, illustrative=True)
    import_version(budget)
    Municipality.objects.filter(code="1804").update(population=None)
    page = client.get(reverse("budgets:detail", args=[budget.pk])).content.decode()
    assert "Illustrerende tall." in page and "folketall er ikke satt" in page


def test_the_api_gives_versions_sectors_and_totals_with_a_decimal_point(client, shown):
    budget, _area = shown
    in_language(client, "nb")
    data = client.get(f"/api/v1/budgets/{budget.pk}/").json()
    assert data["years"] == [2027, 2028, 2029, 2030] and data["population"] == 53_000
    assert [version["stage"] for version in data["versions"]] == ["previous", "proposal"]
    proposal = data["versions"][1]
    assert proposal["totals"]["2027"] == "4384567.50"
    oppvekst = next(sector for sector in proposal["sectors"] if sector["name"] == "Oppvekst")
    assert oppvekst["amounts"] == {
        "2027": "2084567.50",
        "2028": "2010001.00",
        "2029": "2030001.00",
        "2030": "2050001.00",
    }
    assert client.get("/api/v1/budgets/999999/").status_code == 404


def test_the_sums_written_at_import_are_the_lines_sums(shown):
    budget, _area = shown
    years = [budget.first_year - 1, *budget.years]
    for version in budget.versions.all():
        live = {
            row["sector_id"]: [row[f"y{year}"] for year in years]
            for row in version.lines.all().sector_totals(years)
        }
        written = SectorTotal.objects.filter(version=version).table()[version.pk]
        assert live.keys() == written.keys()
        for sector, amounts in live.items():
            assert [written[sector].get(year, 0) for year in years] == amounts
