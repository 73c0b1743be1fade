"""The public pages work without JavaScript: the area list and the coordinate lookup."""

import pytest

from areas.models import Area

pytestmark = pytest.mark.django_db


def test_home_shows_bodo_and_its_areas(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bodø" in html
    assert "Mørkved skolekrets (demo)" in html
    assert "Helligvær (demo)" in html
    assert "Kartverket (CC BY 4.0)" in html


def test_home_is_in_bokmal_by_default(client):
    html = client.get("/").content.decode()

    assert '<html lang="nb">' in html
    assert "Finn områdene" in html


@pytest.mark.parametrize(("language", "text"), [("nn", "Finn områda"), ("en", "Find the areas")])
def test_home_in_nynorsk_and_english(client, language, text):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    html = client.get("/").content.decode()

    assert f'<html lang="{language}">' in html
    assert text in html


def test_coordinate_lookup_without_the_map(client):
    response = client.get("/", {"lat": "67.283", "lon": "14.385"})

    html = response.content.decode()
    assert "Bodø sentrum skolekrets (demo)" in html.split('class="found"')[1]


def test_coordinate_lookup_with_bad_input_explains(client):
    response = client.get("/", {"lat": "95", "lon": "x"})

    assert response.status_code == 400
    html = response.content.decode()
    # The error summary, which takes focus, links to each field in error.
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_lat"' in summary and 'href="#id_lon"' in summary
    assert 'class="found"' not in html


def test_area_page_lists_facts_and_sub_areas(client):
    bodo = Area.objects.current().get(type__slug="kommune", code="1804")

    response = client.get(bodo.get_absolute_url())

    assert response.status_code == 200
    assert "Misvær skolekrets (demo)" in response.content.decode()


def test_unknown_municipality_and_area_are_404(client):
    assert client.get("/kommune/0000/").status_code == 404
    assert client.get("/areas/999999999/").status_code == 404


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("nn", "Demoen til Nabolaget: illustrerande område laga frå utgangspunkt"),
        ("nb", "Nabolagets demo: illustrerende områder laget fra utgangspunkter"),
        ("en", "demo: illustrative areas made from seed points, not real boundaries"),
    ],
)
def test_a_demo_areas_source_is_said_in_the_readers_language(client, language, source):
    from areas.models import Area

    area = Area.objects.get(code="1804-SK01")
    client.cookies["django_language"] = language

    page = client.get(area.get_absolute_url()).content.decode()

    assert source in page
    if language != "en":
        assert "Illustrative" not in page and "not real boundaries" not in page
