"""Address suggestions from the imported address register (GET /api/v1/addresses/), and the
home page's lookup by address without JavaScript."""

import pytest
from django.db import connection

from areas.models import Address
from areas.querysets import MAX_ADDRESS_SUGGESTIONS

pytestmark = pytest.mark.django_db
URL = "/api/v1/addresses/"


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [feature["properties"]["text"] for feature in response.json()["features"]]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Storg", "Storgata 1"),  # the beginning of a street
        ("storgata 2", "Storgata 20"),  # any case, with the beginning of a number
        ("Storgt", "Storgata 1"),  # a letter left out
        ("Dronigens gate", "Dronningens gate 30"),  # letters left out, no number
        ("  rønvik  ", "Rønvikveien 10"),  # spaces around, ø
    ],
)
def test_addresses_are_suggested_as_one_types(client, typed, first):
    """The register's addresses starting with (or spelt like) what was typed, best first,
    with their place in WGS 84 (longitude first)."""
    response = client.get(URL, {"q": typed, "municipality": "1804"})

    assert texts(response)[0] == first
    feature = response.json()["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert 14 < lon < 16 and 66.5 < lat < 68
    assert feature["properties"]["municipality"] == "1804"
    assert feature["properties"]["post_town"] == "BODØ"


def test_the_addresses_that_start_so_come_before_those_spelt_alike(client):
    assert texts(client.get(URL, {"q": "Storgata 1"}))[0] == "Storgata 1"
    assert texts(client.get(URL, {"q": "Storgata 2"})) == ["Storgata 20", "Storgata 1"]


@pytest.mark.parametrize("typed", ["", "   ", "S", "zzzzqqq", "%", "_", "\\"])
def test_too_little_or_nothing_alike_suggests_nothing(client, typed):
    """Blank, one letter, nothing alike, or LIKE's wildcards alone: an empty list, not an error."""
    assert texts(client.get(URL, {"q": typed, "municipality": "1804"})) == []


def test_sql_in_the_search_text_is_text(client):
    count = Address.objects.count()

    assert texts(client.get(URL, {"q": "'; DROP TABLE areas_address; --"})) == []
    assert texts(client.get(URL, {"q": "1) OR (1=1"})) == []
    # Only what is spelt like the text's words: a quote ends nothing.
    assert texts(client.get(URL, {"q": "Storgata' OR '1'='1"})) in (
        [],
        ["Storgata 1", "Storgata 20"],
    )

    assert Address.objects.count() == count


@pytest.mark.parametrize(
    ("params", "language", "message"),
    [
        ({"q": "x" * 201}, "nb", "Skriv høyst 200 tegn av adressen."),
        ({"q": "x" * 201}, "nn", "Skriv høgst 200 teikn av adressa."),
        ({"q": "Storg", "municipality": "18"}, "nn", "kommunenummer"),
    ],
)
def test_bad_input_is_a_400_in_the_persons_language(client, params, language, message):
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_control_characters_are_read_as_spaces(client):
    assert texts(client.get(URL, {"q": "Storgata\x071"}))[0] == "Storgata 1"


def test_a_repeated_parameter_is_refused(client):
    assert client.get(f"{URL}?q=Storg&q=Sjø").status_code == 400


def test_another_municipality_has_no_bodo_addresses(client):
    assert texts(client.get(URL, {"q": "Storg", "municipality": "0301"})) == []


def test_suggestions_are_limited(client):
    municipality = Address.objects.first().municipality
    point = Address.objects.first().point
    Address.objects.bulk_create(
        Address(municipality=municipality, text=f"Langgata {n}", postcode="8006", point=point)
        for n in range(1, 40)
    )

    found = texts(client.get(URL, {"q": "Langg"}))

    assert len(found) == MAX_ADDRESS_SUGGESTIONS
    assert found[:3] == ["Langgata 1", "Langgata 2", "Langgata 3"]


def test_suggestions_are_rate_limited_per_client_address(client, settings):
    settings.NABOLAGET_RATES = {**settings.NABOLAGET_RATES, "address_search_address": "3/minute"}

    statuses = [client.get(URL, {"q": "Storg"}).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_search_uses_the_trigram_index():
    """Both the prefix and the similarity test are answered from the index on UPPER(text)
    (sequential scans off: the demo's few addresses would be read whole otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Address.objects.suggest("Storg").explain()

    assert "address_text_trgm" in plan
    assert "Seq Scan" not in plan


def test_the_home_page_finds_the_areas_at_an_address_without_javascript(client):
    response = client.get("/", {"address": "Storgata 1"})

    assert response.status_code == 200
    found = response.content.decode().split('class="found"')[1]
    assert "Bodø sentrum skolekrets (demo)" in found


def test_the_home_page_answers_a_misspelt_address_with_the_addresses_like_it(client):
    response = client.get("/", {"address": "Storgt"}, HTTP_ACCEPT_LANGUAGE="nn")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Meinte du Storgata 1; Storgata 20?" in html
    assert 'href="#id_address"' in html.split('class="error-summary"')[1]
