"""The case map's popups show an uploaded layer's properties as text: only http(s) URLs
become links, and a link to another site shows its host."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from cases import services
from tests.browser.test_resident_journey import log_in
from tests.cases.factories import make_case
from tests.priorities.factories import staff

FEATURES = [
    ("Klikk her", "javascript:alert(document.cookie)", (14.375, 67.28)),
    ("Se planen", "data:text/html,<script>alert(1)</script>", (14.38, 67.282)),
    ("Gammel lenke", " VBScript:msgbox(1)", (14.385, 67.284)),
    ("Bodø kommune", "https://bod0-kommune.example/logg-inn", (14.39, 67.286)),
]


def _upload(planner, case):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"title": title, "url": url},
                "geometry": {"type": "Point", "coordinates": list(lon_lat)},
            }
            for title, url, lon_lat in FEATURES
        ],
    }
    upload = SimpleUploadedFile(
        "lenker.geojson", json.dumps(collection).encode(), content_type="application/geo+json"
    )
    services.case_layer_upload(actor=planner, case=case, name="Lenker", upload=upload)


def test_layer_popups_link_only_http_urls_and_show_the_host(page):
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    case = make_case(planner)
    _upload(planner, case)

    log_in(page, planner.email)
    page.goto(page.base_url + f"/cases/{case.pk}/")
    page.wait_for_selector("#map[data-ready='true']")
    popups = {}
    for title, _url, (lon, lat) in FEATURES:
        # Opens the popup of the marker at this position, as a click on it does.
        page.evaluate(
            """([lat, lon]) => {
                const map = document.getElementById("map").map;
                map.eachLayer((layer) => layer.closePopup && layer.closePopup());
                map.eachLayer((layer) => {
                    if (layer.getLatLng && layer.getPopup && layer.getPopup()) {
                        const at = layer.getLatLng();
                        if (Math.abs(at.lat - lat) < 1e-6 && Math.abs(at.lng - lon) < 1e-6) {
                            layer.openPopup();
                        }
                    }
                });
            }""",
            [lat, lon],
        )
        content = page.locator(".leaflet-popup-content", has_text=title)
        content.wait_for()
        popups[title] = (content.inner_text(), content.locator("a").count())

    assert (
        page.locator("a[href^='javascript' i], a[href^='data' i], a[href*='script:' i]").count()
        == 0
    )
    assert popups["Klikk her"] == ("Klikk her\njavascript:alert(document.cookie)", 0)
    assert popups["Se planen"][1] == 0
    assert popups["Gammel lenke"][1] == 0
    assert popups["Bodø kommune"] == ("Bodø kommune (bod0-kommune.example ↗)", 1)
    link = page.locator(".leaflet-popup-content", has_text="Bodø kommune").locator("a")
    assert link.get_attribute("href") == "https://bod0-kommune.example/logg-inn"
    assert link.get_attribute("rel") == "noopener noreferrer"
