"""Pinning a priority on a phone and with the keyboard alone, in a real browser: a full-width
map, a tap that pins, the pin set at the map's centre by a button, "use my location"."""

import pytest

from priorities.models import Priority
from tests.browser.conftest import assert_accessible, log_in_by_keyboard
from tests.priorities.factories import UserFactory

PHONE = {"width": 390, "height": 844}
STATUS = {
    "nb": {
        "placed": "Markøren er plassert, og koordinatene er fylt inn.",
        "refused": "Nettleseren fikk ikke lov til å dele posisjonen din.",
        "located": "Markøren er plassert der du er.",
        "received": "Takk",
    },
    "nn": {
        "placed": "Markøren er plassert, og koordinatane er fylte inn.",
        "refused": "Nettlesaren fekk ikkje lov til å dele posisjonen din.",
        "located": "Markøren er plassert der du er.",
        "received": "Takk",
    },
}


def _context(browser, live_server, language="nb", **options):
    context = browser.new_context(locale=f"{language}-NO", viewport=PHONE, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return context, page, errors


def open_pin_form(page):
    page.goto(page.base_url + "/priorities/new/")
    page.wait_for_selector("#map[data-ready='true'][data-pin-ready='true']")


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def centre(page) -> tuple[float, float]:
    """The map's centre (lon, lat), as the map itself has it."""
    return tuple(
        page.evaluate(
            "(() => { const c = document.getElementById('map').map.getCenter(); return [c.lng, c.lat]; })()"
        )
    )


def wait_until_still(page):
    """Wait for an animated pan to end (the centre stops changing)."""
    last = None
    for _ in range(50):
        now = centre(page)
        if now == last:
            return now
        last = now
        page.wait_for_timeout(150)
    raise AssertionError("the map kept moving")


def stored_lon_lat(priority) -> tuple[float, float]:
    point = priority.point.transform(4326, clone=True)
    return point.x, point.y


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_keyboard_only_pin_at_the_map_centre(browser, live_server, demo_live, axe, language):
    """Tab to the map (a crosshair marks its centre), pan it with the arrow keys, press the
    button that sets the pin at the centre, fill in the form and send it, all by keyboard at
    390 × 844: the priority is stored at the map's centre."""
    resident = UserFactory()
    context, page, errors = _context(browser, live_server, language)
    log_in_by_keyboard(page, resident.email)
    open_pin_form(page)
    assert_accessible(axe, page)
    # Start over Bodø town (as a person would have panned or zoomed there).
    page.evaluate(
        "document.getElementById('map').map.setView([67.279, 14.43], 13, {animate: false})"
    )
    crosshair = page.locator("#map .map-crosshair")
    assert not crosshair.is_visible()

    tab_to(page, "#map")
    assert crosshair.is_visible(), "the centre is marked while the map has the keyboard focus"
    start = centre(page)
    page.keyboard.press("ArrowRight")
    wait_until_still(page)
    page.keyboard.press("ArrowUp")
    lon, lat = wait_until_still(page)
    assert lon > start[0] and lat > start[1], "the arrow keys panned the map east and north"

    tab_to(page, "#pin-centre")
    assert crosshair.is_visible(), "the centre stays marked while its button has the focus"
    page.keyboard.press("Enter")
    status = page.locator("#pin-status")
    status.get_by_text(STATUS[language]["placed"]).wait_for()
    assert page.input_value("#id_lat") == f"{lat:.6f}"
    assert page.input_value("#id_lon") == f"{lon:.6f}"

    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_category") != ""
    tab_to(page, "#id_title")
    page.keyboard.type(f"Tastaturnål {language}")
    tab_to(page, "#id_text")
    page.keyboard.type("Plassert midt i kartet med tastaturet alene.")
    tab_to(page, "form.priority-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/priorities/*/?receipt=1")
    page.locator(".receipt").wait_for()

    priority = Priority.all_objects.get(title=f"Tastaturnål {language}")
    stored = stored_lon_lat(priority)
    assert stored == pytest.approx((lon, lat), abs=2e-6)
    assert not errors, errors
    context.close()


def test_tap_pins_on_a_phone_with_a_full_width_map(browser, live_server, demo_live, axe):
    """On a phone (touch, 390 × 844) the map is (nearly) as wide as the screen, a tap on it
    places the pin where the finger was, and the map's controls and the form's buttons are
    at least 44 × 44 CSS px."""
    resident = UserFactory()
    context, page, errors = _context(browser, live_server, has_touch=True, is_mobile=True)
    log_in_by_keyboard(page, resident.email)
    open_pin_form(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    box = page.locator("#map").bounding_box()
    assert box["width"] >= 0.9 * page.evaluate("window.innerWidth"), box
    assert box["height"] >= 250, box

    small = page.evaluate(
        """() => [...document.querySelectorAll(
             "#map .leaflet-control-container a, #map .leaflet-control-container button,"
             + " form.priority-form button, form.priority-form a")]
          .filter((e) => e.offsetParent !== null)
          .map((e) => [e.textContent.trim() || e.title, e.getBoundingClientRect()])
          .filter(([, r]) => r.width < 44 || r.height < 44)
          .map(([name, r]) => `${name}: ${r.width}×${r.height}`)"""
    )
    assert small == [], f"tap targets under 44 × 44 px: {small}"

    page.evaluate(
        "document.getElementById('map').map.setView([67.279, 14.43], 13, {animate: false})"
    )
    x, y = round(box["width"] * 0.6), round(box["height"] * 0.4)
    expected = page.evaluate(
        "([x, y]) => { const p = document.getElementById('map').map"
        ".containerPointToLatLng([x, y]); return [p.lng, p.lat]; }",
        [x, y],
    )
    page.tap("#map", position={"x": x, "y": y})
    page.locator("#pin-status").get_by_text(STATUS["nb"]["placed"]).wait_for()
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    # A tap is at whole CSS pixels; at zoom 13 a pixel is about 7 m, under 0.0002°.
    assert (lon, lat) == pytest.approx(expected, abs=2e-4)
    assert page.locator("#map path.leaflet-interactive").count() >= 1, "the pin is drawn"
    assert_accessible(axe, page)
    assert not errors, errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_use_my_location_pins_there_or_says_why_not(browser, live_server, demo_live, language):
    """ "Use my location" pins where the browser says the phone is; when the browser is not
    allowed to tell, a message in the live region says so and how to go on."""
    resident = UserFactory()
    here = {"latitude": 67.2804, "longitude": 14.4049}
    allowed, page, errors = _context(
        browser, live_server, language, geolocation=here, permissions=["geolocation"]
    )
    log_in_by_keyboard(page, resident.email)
    open_pin_form(page)
    tab_to(page, "#pin-locate")
    page.keyboard.press("Enter")
    page.locator("#pin-status").get_by_text(STATUS[language]["located"]).wait_for()
    assert page.input_value("#id_lat") == "67.280400"
    assert page.input_value("#id_lon") == "14.404900"
    assert centre(page) == pytest.approx((here["longitude"], here["latitude"]), abs=1e-6)
    assert not errors, errors
    allowed.close()

    refused, page, errors = _context(browser, live_server, language)
    log_in_by_keyboard(page, resident.email)
    open_pin_form(page)
    tab_to(page, "#pin-locate")
    page.keyboard.press("Enter")
    page.locator("#pin-status").get_by_text(STATUS[language]["refused"]).wait_for()
    assert page.input_value("#id_lat") == ""
    assert page.locator("#pin-status").get_attribute("role") == "status"
    assert not errors, errors
    refused.close()
