"""The keyboard's way through what a map shows: the points and clusters in the current view as
a list that follows the map, and a polite live region that says how many are in view."""

import pytest

from accounts.models import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_pin_on_phone import tab_to, wait_until_still
from tests.browser.test_resident_journey import log_in
from tests.priorities.factories import MISVAER, UserFactory, make_priority, staff

# What the live region says for 0, 1 and n priorities in view.
SAYS = {
    "nb": (
        "Ingen prioriteter i kartutsnittet",
        "1 prioritet i kartutsnittet",
        "{n} prioriteter i kartutsnittet",
    ),
    "nn": (
        "Ingen prioritetar i kartutsnittet",
        "1 prioritet i kartutsnittet",
        "{n} prioritetar i kartutsnittet",
    ),
}


def shown(page) -> dict:
    """What the list and the live region say now, and the view they should be about."""
    return page.evaluate(
        """() => {
          const map = document.getElementById("map").map;
          const b = map.getBounds();
          return {
            status: document.getElementById("in-view-status").textContent,
            items: [...document.querySelectorAll("#in-view-list li")].map((li) => {
              const a = li.querySelector("a");
              return a ? {title: a.textContent, href: a.getAttribute("href")}
                       : {cluster: li.querySelector("button").textContent, count: Number(li.dataset.count)};
            }),
            bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
            zoom: Math.round(map.getZoom()),
            updates: Number(document.getElementById("in-view").dataset.updates),
          };
        }"""
    )


def api_in_view(page, view: dict, query: str = "municipality=1804") -> list[dict]:
    """The oracle: the API's features for the view, asked independently of the page's script."""
    bbox = ",".join(f"{v:.5f}" for v in view["bbox"])
    response = page.request.get(
        f"{page.base_url}/api/v1/priorities/map/?{query}&bbox={bbox}&zoom={view['zoom']}"
    )
    assert response.ok
    return response.json()["features"]


def as_items(features: list[dict]) -> list[dict]:
    items = []
    for feature in features:
        p = feature["properties"]
        if p.get("cluster"):
            items.append({"count": p["count"]})
        else:
            items.append({"title": p["title"], "href": p["url"]})
    return items


def assert_matches_the_api(page, view: dict, language: str, query: str = "municipality=1804"):
    """The list holds the API's features for the view, in its order, and the live region
    says how many priorities they are (a cluster counts its priorities)."""
    features = api_in_view(page, view, query)
    assert listed(view) == as_items(features)
    total = sum(f["properties"].get("count", 1) for f in features)
    none, one, many = SAYS[language]
    assert view["status"] == (none if total == 0 else one if total == 1 else many.format(n=total))
    return total


def listed(view: dict) -> list[dict]:
    return [
        {"count": i["count"]} if "cluster" in i else {"title": i["title"], "href": i["href"]}
        for i in view["items"]
    ]


def wait_for_new_list(page, before: dict) -> dict:
    """The list after the map moved: made again since ``before``, and the map is still."""
    page.wait_for_function(
        "(n) => Number(document.getElementById('in-view').dataset.updates) > n",
        arg=before["updates"],
    )
    wait_until_still(page)
    page.wait_for_timeout(300)  # a last refresh after the final moveend
    return shown(page)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_list_of_what_is_in_view_follows_the_map(
    browser, live_server, demo_live, axe, language
):
    """On the home map, the list holds the API's clusters and points for the view, and the
    live region the number of priorities in it; both change when the map is panned with the
    arrow keys, and a cluster's button zooms the map in to it, the focus staying in the list."""
    author = UserFactory()
    for n in range(3):
        make_priority(author, at=(MISVAER[0] + 0.002 * n, MISVAER[1]), title=f"Misvær {n}")
    for n in range(2):
        make_priority(author, title=f"Sentrum {n}")
    context = browser.new_context(locale=f"{language}-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page.base_url + "/")
    page.wait_for_selector("#map[data-priorities-ready='true']")
    page.wait_for_function("document.getElementById('in-view-status').textContent !== ''")
    assert_accessible(axe, page)

    # The whole municipality: clusters, each a button; the total is every public priority.
    view = shown(page)
    assert assert_matches_the_api(page, view, language) == 5
    assert page.locator("#in-view-status").get_attribute("role") == "status"

    # Zoomed in over Misvær's three: links to them; then panned away with the arrow keys.
    page.evaluate(
        "document.getElementById('map').map.setView([67.117, 15.002], 16, {animate: false})"
    )
    view = wait_for_new_list(page, view)
    assert assert_matches_the_api(page, view, language) == 3
    assert {i["title"] for i in view["items"]} == {"Misvær 0", "Misvær 1", "Misvær 2"}
    tab_to(page, "#map")
    for _ in range(8):  # Leaflet ignores a key while the last pan is still animated
        page.keyboard.press("ArrowLeft")
        wait_until_still(page)
    moved = wait_for_new_list(page, view)
    assert moved["bbox"][0] < view["bbox"][0] - 0.005
    assert assert_matches_the_api(page, moved, language) == 0
    assert moved["status"] != view["status"]

    # Back out to the municipality; a cluster's button zooms in, the focus stays in the list.
    page.evaluate("document.getElementById('map').map.setView([67.2, 14.6], 9, {animate: false})")
    view = wait_for_new_list(page, moved)
    assert any("cluster" in i for i in view["items"])
    tab_to(page, "#in-view-list button")
    page.keyboard.press("Enter")
    zoomed = wait_for_new_list(page, view)
    assert zoomed["zoom"] == view["zoom"] + 2
    assert_matches_the_api(page, zoomed, language)
    assert page.evaluate("document.getElementById('in-view').contains(document.activeElement)")
    assert not errors, errors
    context.close()


def test_the_planner_map_lists_the_filtered_priorities_in_view(page, axe):
    """The planner's map shows the priorities that match the filter, and its list and live
    region say the same as the table: here one playground among many traffic priorities."""
    author = UserFactory()
    for n in range(3):
        make_priority(author, title=f"Trafikk {n}")
    make_priority(author, title="Lekeplass ved skolen", category="lek-og-friluft")
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    log_in(page, planner.email)
    page.goto(page.base_url + "/planner/?category=lek-og-friluft&q=Lekeplass")
    page.wait_for_selector("#map[data-priorities-ready='true'][data-choropleth-ready='true']")
    page.wait_for_function("document.getElementById('in-view-status').textContent !== ''")
    assert page.locator("#priority-table tbody tr").count() == 1
    assert page.locator("#in-view-status").inner_text() == "1 prioritet i kartutsnittet"
    assert_matches_the_api(
        page, shown(page), "nb", "municipality=1804&category=lek-og-friluft&q=Lekeplass"
    )
    assert_accessible(axe, page)
