"""Following an area with the keyboard alone, in Bokmål and Nynorsk, and the follow pages
and the councils' coverage table at 320 CSS px without horizontal scrolling (WCAG 1.4.10)
and without axe violations."""

from __future__ import annotations

import pytest

from areas.models import Area
from follows.models import Follow
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.priorities.factories import UserFactory

NARROW = {"width": 320, "height": 640}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize(
    ("language", "button", "saved"),
    [("nb", "Følg", "Nå følger du"), ("nn", "Følg", "No følgjer du")],
)
def test_a_resident_follows_an_area_by_keyboard(open_page, axe, language, button, saved):
    user = UserFactory(language=language)
    school = Area.objects.in_force().get(code="1804-SK01")
    page = open_page(language)
    log_in_by_keyboard(page, user.email)
    page.goto(page.base_url + school.get_absolute_url())
    tab_to(page, f"el.getAttribute('href') === '/me/follows/new/?area={school.pk}'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/follows/new/**")
    # Untick "new hearings" (the first topic), choose "once a day", and follow.
    tab_to(page, "el.name === 'topics' && el.value === 'hearing'")
    page.keyboard.press("Space")
    tab_to(page, "el.name === 'frequency'")
    page.keyboard.press("ArrowDown")
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === '{button}'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/follows/")
    assert saved in page.inner_text("main")
    follow = Follow.objects.get(user=user)
    assert follow.area_id == school.pk
    assert follow.frequency == "daily"
    assert "hearing" not in follow.topics and follow.topics
    assert_accessible(axe, page)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_follow_pages_and_the_coverage_table_fit_320_px(open_page, axe, language):
    user = UserFactory(language=language)
    school = Area.objects.in_force().get(code="1804-SK01")
    Follow.objects.create(user=user, municipality=school.municipality, area=school)
    page = open_page(language, NARROW)
    log_in_by_keyboard(page, user.email)
    for path in (
        "/me/follows/",
        f"/me/follows/new/?area={school.pk}",
        "/me/follows/new/?municipality=1804",
        "/kommune/1804/councils/coverage/?type=skolekrets",
        "/kommune/1804/councils/coverage/?type=grend",
    ):
        page.goto(page.base_url + path)
        assert page.evaluate(FITS), path
        assert_accessible(axe, page)
