"""The home page in a real browser: the map, the lookup by click and by keyboard, accessibility."""

from django.contrib.gis.geos import Point

from areas.models import Area
from tests.browser.conftest import assert_accessible


def open_home(page, path="/"):
    page.goto(page.base_url + path)
    page.wait_for_selector("#map[data-ready='true']")


def click_map_at(page, lat, lon):
    """Click the map where the given place is drawn, as a person would with a mouse (having
    scrolled it into view: the address search comes first)."""
    page.locator("#map").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = document.getElementById('map').map"
        ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_clicking_the_map_names_the_areas_there(page):
    open_home(page)
    assert page.locator("path.area-skolekrets").count() == 9

    click_map_at(page, 67.117, 15.0)

    result = page.locator("#lookup-result")
    result.get_by_text("Misvær skolekrets (demo)").wait_for()
    assert "Misvær (demo)" in result.inner_text()
    assert "Bodø" in result.inner_text()
    assert "Skolekrets" in result.inner_text(), "type names, not slugs"


def test_clicking_the_sea_says_no_area(page):
    open_home(page)

    click_map_at(page, 67.25, 14.2)

    page.locator("#lookup-result").get_by_text("Ingen område her.").wait_for()


def _centre(page) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            "(() => { const c = document.getElementById('map').map.getCenter();"
            " return [c.lng, c.lat]; })()"
        )
    )


def test_keyboard_only_lookup_of_the_map_centre(page):
    """Tab to the map, pan it with the arrow keys, and look up its centre with the button:
    the areas covering the centre the button looks up are named (moving the focus
    through the map pans it too, so the centre is read just before the lookup)."""
    open_home(page)
    # Start over Misvær (as a person would have panned there), then pan south by key.
    page.evaluate("document.getElementById('map').map.setView([67.12, 15.0], 12, {animate: false})")
    page.locator("#map").focus()
    start = _centre(page)
    page.keyboard.press("ArrowDown")
    for _ in range(50):  # the pan is animated
        if _centre(page)[1] < start[1]:
            break
        page.wait_for_timeout(100)
    assert _centre(page)[1] < start[1], "the arrow key panned the map south"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "lookup-centre":
            break
    assert page.evaluate("document.activeElement.id") == "lookup-centre"
    page.keyboard.press("Enter")

    result = page.locator("#lookup-result")
    page.wait_for_selector("#lookup-result[data-done='true']")
    # The oracle: the areas PostGIS finds at the very point the button looked up. The markers
    # the focus passed pan the map (a marker at sea ends it off the coast), and a pan may still
    # run when Enter is pressed, so the point is the one the page says it asked about.
    lon, lat = (float(n) for n in result.get_attribute("data-point").split(","))
    covering = [area.name for area in Area.objects.current().covering(Point(lon, lat, srid=4326))]
    text = result.inner_text()
    if covering:
        assert text.startswith("Områder her:")
        assert sorted(name for name in covering if name in text) == sorted(covering)
    else:
        assert text == "Ingen område her."


def test_the_area_list_works_without_the_map(page):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Mørkved skolekrets (demo)").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Mørkved skolekrets (demo)"


def test_home_page_passes_axe(page, axe):
    open_home(page)
    click_map_at(page, 67.117, 15.0)
    page.locator("#lookup-result a").first.wait_for()

    assert_accessible(axe, page)


def test_area_page_and_coordinate_form_pass_axe(page, axe):
    open_home(page, "/?lat=95&lon=x")
    assert_accessible(axe, page)

    page.get_by_role("link", name="Bodø", exact=True).click()
    page.wait_for_selector("#map[data-ready='true']")
    assert_accessible(axe, page)


def test_the_map_names_its_areas_and_has_a_key(page):
    """The school districts' names on the map once they fit (zoom 11 and in), and a key:
    each area type in the layers control with a swatch of how it is drawn."""
    open_home(page)
    key = page.locator(".leaflet-control-layers-overlays label")
    assert key.count() == 3
    assert page.locator(".leaflet-control-layers .legend-swatch.legend-skolekrets").count() == 1
    assert "Skolekrets" in key.all_inner_texts()[-1] or any(
        "Skolekrets" in text for text in key.all_inner_texts()
    )

    page.evaluate(
        "document.getElementById('map').map.setView([67.283, 14.385], 12, {animate: false})"
    )
    page.wait_for_timeout(500)
    print(
        "DBG",
        page.locator(".leaflet-tooltip").all_inner_texts(),
        page.evaluate("document.getElementById('map').map.getZoom()"),
    )
    label = page.locator(".leaflet-tooltip.area-label", has_text="Bodø sentrum skolekrets (demo)")
    label.wait_for()
    assert label.is_visible()
    page.evaluate("document.getElementById('map').map.setZoom(8, {animate: false})")
    page.wait_for_function("document.querySelectorAll('.leaflet-tooltip.area-label').length === 0")
