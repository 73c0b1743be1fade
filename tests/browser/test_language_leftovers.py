"""Pages entirely in the reader's language, as a browser shows them: the map controls'
titles (what hovering shows) and Leaflet.draw's buttons, tooltips and actions in Bokmål
and Nynorsk, and no English left on a set of Bokmål and Nynorsk pages."""

import re

import pytest

from accounts.models import Role
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.browser.test_council_journey import draw_click
from tests.browser.test_resident_journey import log_in
from tests.priorities.factories import UserFactory, make_priority, staff

TEXTS = {
    "nb": {
        "zoom_in": "Zoom inn",
        "zoom_out": "Zoom ut",
        "layers": "Kartlag",
        "polygon": "Tegn et område (polygon)",
        "line": "Tegn en linje",
        "point": "Sett et punkt",
        "start": "Klikk for å begynne å tegne området.",
        "continue": "Klikk for å fortsette å tegne området.",
        "actions": ["Fullfør", "Slett siste punkt", "Avbryt"],
        "cancel_title": "Avbryt tegningen",
        "edit": "Ingenting tegnet å redigere",
        "remove": "Ingenting tegnet å slette",
    },
    "nn": {
        "zoom_in": "Zoom inn",
        "zoom_out": "Zoom ut",
        "layers": "Kartlag",
        "polygon": "Teikn eit område (polygon)",
        "line": "Teikn ei linje",
        "point": "Set eit punkt",
        "start": "Klikk for å byrje å teikne området.",
        "continue": "Klikk for å halde fram med å teikne området.",
        "actions": ["Fullfør", "Slett siste punkt", "Avbryt"],
        "cancel_title": "Avbryt teikninga",
        "edit": "Ingenting teikna å redigere",
        "remove": "Ingenting teikna å slette",
    },
}
# English that must not be on a Bokmål or Nynorsk page: Leaflet's and Leaflet.draw's own
# texts, Django's and Python's, and our own that were once left untranslated.
ENGLISH = re.compile(
    r"\b(Zoom in|Zoom out|Layers|Draw a|Click to|Click and|Click map|Cancel|Finish|"
    r"Delete last|Save changes|Clear All|Edit layers|Delete layers|No layers|"
    r"Contains data|Illustrative|Expecting value|Not Found|Server Error|Forbidden|"
    r"Sign In|Sign Up|Forgot your|Remember Me|Password|Email address|Submit)\b"
)


def texts_people_meet(page) -> str:
    """What the page shows and what hovering and screen readers tell: visible text, titles,
    labels, placeholders and alternative texts (the language menu's names left out)."""
    return page.evaluate(
        """() => {
          const parts = [document.body.innerText];
          for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
            if (el.closest('#language-select')) continue;
            for (const name of ['title', 'aria-label', 'placeholder', 'alt'])
              if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
          }
          return parts.join('\\n');
        }"""
    ).replace("English", "")


def assert_no_english(page, where):
    found = ENGLISH.findall(texts_people_meet(page))
    assert not found, f"English on the {where} page: {found}"


def tooltip_text(page) -> str:
    """The text of Leaflet.draw's tooltip, which follows the pointer over the map."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-draw-tooltip')]"
        ".map((el) => el.textContent).join(' ')"
    )


def title_of(page, selector):
    locator = page.locator(selector).first
    locator.hover()
    return locator.get_attribute("title")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_map_controls_speak_the_pages_language_on_the_pin_form(open_page, language):
    resident = UserFactory(email=f"kari-{language}@example.no", language=language)
    pin = open_page(language)
    log_in(pin, resident.email)

    pin.goto(pin.base_url + "/priorities/new/")
    pin.wait_for_selector(".leaflet-control-zoom-in")

    words = TEXTS[language]
    assert title_of(pin, ".leaflet-control-zoom-in") == words["zoom_in"]
    assert title_of(pin, ".leaflet-control-zoom-out") == words["zoom_out"]
    assert_no_english(pin, f"pin form ({language})")
    # The map with all the area types has the layers control.
    pin.goto(pin.base_url + "/")
    pin.wait_for_selector(".leaflet-control-layers")
    assert pin.get_attribute(".leaflet-control-layers-toggle", "title") == words["layers"]
    assert not pin.errors


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_draw_toolbar_speaks_the_pages_language_on_the_councils_form(open_page, language):
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council, email=f"sekretar-{language}@example.no")
    form = open_page(language)
    log_in(form, secretary.email)

    form.goto(form.base_url + f"/councils/{council.pk}/file/")
    form.wait_for_selector(".leaflet-draw-draw-polygon")

    words = TEXTS[language]
    assert title_of(form, ".leaflet-control-zoom-in") == words["zoom_in"]
    assert title_of(form, ".leaflet-draw-draw-polygon") == words["polygon"]
    assert title_of(form, ".leaflet-draw-draw-polyline") == words["line"]
    assert title_of(form, ".leaflet-draw-draw-marker") == words["point"]
    assert title_of(form, ".leaflet-draw-edit-edit") == words["edit"]
    assert title_of(form, ".leaflet-draw-edit-remove") == words["remove"]

    # Drawing: the tooltip that follows the pointer, and the actions beside the button.
    form.locator(".leaflet-draw-draw-polygon").click()
    draw_click(form, 67.15, 14.95)
    draw_click(form, 67.15, 15.05)
    assert words["continue"] in tooltip_text(form)
    actions = form.locator(".leaflet-draw-actions:visible a")
    assert actions.all_inner_texts() == words["actions"]
    assert actions.last.get_attribute("title") == words["cancel_title"]
    assert_no_english(form, f"council's form while drawing ({language})")
    actions.last.click()
    form.locator(".leaflet-draw-draw-polygon").click()
    assert words["start"] in tooltip_text(form)
    assert not form.errors


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_no_english_is_left_on_bokmal_and_nynorsk_pages(open_page, language):
    from areas.models import Area

    priority = make_priority(title="Fortau langs skoleveien")
    area = Area.objects.get(code="1804-SK01")
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    visitor = open_page(language)
    paths = [
        "/",
        "/councils/",
        council.get_absolute_url(),
        area.get_absolute_url(),
        priority.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/ingen-slik-side/",
    ]
    for path in paths:
        visitor.goto(visitor.base_url + path)
        if visitor.locator("#map").count():
            visitor.wait_for_selector(".leaflet-control-zoom-in")
        assert_no_english(visitor, f"{path} ({language})")

    planner = staff(Role.PLANNER, email=f"planlegger-{language}@bodo.kommune.no")
    log_in(visitor, planner.email)
    for path in ("/planner/", "/priorities/new/", "/cases/new/"):
        visitor.goto(visitor.base_url + path)
        visitor.wait_for_selector(".leaflet-control-zoom-in")
        assert_no_english(visitor, f"{path} ({language})")
    assert not visitor.errors
