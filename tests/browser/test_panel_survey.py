"""A panel member answers the follow-up survey with the keyboard alone (the errors are
announced: the error summary takes focus), and the member page, the information page, the
survey form and the results fit a phone and a desktop in Bokmål and Nynorsk (screenshots
kept in $PANEL_SCREENSHOTS when set)."""

import os
from pathlib import Path

import pytest

from accounts.models import Role
from panels import members, survey
from panels.member_links import member_token
from panels.models import MemberAccess, SurveyResponse
from tests.browser.conftest import assert_accessible, tab_to
from tests.panels.survey_factories import make_members, make_panel, make_survey
from tests.priorities.factories import staff

WIDTHS = (320, 390, 1366)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _focused(page) -> str:
    return page.evaluate(
        "(() => { const el = document.activeElement; return (el.className || '') + ' ' + "
        "(el.textContent || '').slice(0, 80); })()"
    )


def test_a_member_answers_the_survey_by_keyboard_and_the_pages_fit_every_width(
    open_page, axe, tmp_path
):
    planner = staff(Role.PLANNER)
    panel = make_panel(planner)
    theme = panel.themes.first()
    theme.information = "Storgata har i dag 8 000 biler i døgnet. Her er planforslaget."
    theme.save()
    strata = [{"age_group": "16-29", "gender": "f"}] * 4 + [
        {"age_group": "30-49", "gender": "m"}
    ] * 4
    chosen = make_members(panel, 8, strata=strata)
    members.member_links_send(actor=planner, panel=panel, language="nb")
    the_survey, questions = make_survey(panel, planner)
    for member in chosen[2:]:
        survey.survey_answer(
            survey=the_survey,
            volunteer=member,
            answers={
                questions[0].pk: 1,
                questions[1].pk: [1, 2],
                questions[2].pk: 3,
                questions[3].pk: "Mer lys om kvelden.",
            },
        )
    link = {m.volunteer_id: f"/p/{member_token(m)}/" for m in MemberAccess.objects.all()}

    page = open_page("nb")
    page.goto(page.base_url + link[chosen[0].pk])
    tab_to(page, "el.textContent.trim() === 'Svar på undersøkelsen'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/panels/{panel.pk}/survey/")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Send svarene mine'")
    page.keyboard.press("Enter")

    page.locator(".error-summary").wait_for()
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    summary = page.locator(".error-summary").inner_text()
    assert "Velg et svar" in summary and "Velg et tall på skalaen" in summary
    assert not SurveyResponse.objects.filter(volunteer=chosen[0]).exists()
    assert_accessible(axe, page)

    tab_to(page, f"el.name === 'q{questions[0].pk}'")
    page.keyboard.press("Space")  # the first option, "Ja"
    tab_to(page, f"el.name === 'q{questions[1].pk}'")
    page.keyboard.press("Space")  # "Benker"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "Lekeplass"
    tab_to(page, f"el.name === 'q{questions[2].pk}'")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 1 -> 4
    tab_to(page, f"el.name === 'q{questions[3].pk}'")
    page.keyboard.type("Flere benker ved elva.")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Send svarene mine'")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/panels/{panel.pk}/member/")
    assert "Takk: svarene dine er lagret." in page.locator(".messages").inner_text()
    response = SurveyResponse.objects.get(volunteer=chosen[0])
    answers = {a.question_id: a for a in response.answers.all()}
    assert answers[questions[0].pk].choices == [0]
    assert answers[questions[1].pk].choices == [0, 2]
    assert answers[questions[2].pk].value == 4
    assert answers[questions[3].pk].text == "Flere benker ved elva."

    # Every page of part B at a phone's and a desktop's width, in Bokmål and Nynorsk; the
    # survey form as the member who has not answered sees it.
    shots = Path(os.environ.get("PANEL_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    pages = {
        "member": f"/panels/{panel.pk}/member/",
        "information": f"/panels/{panel.pk}/information/",
        "survey_form": f"/panels/{panel.pk}/survey/",
    }
    for language in ("nb", "nn"):
        for width in WIDTHS:
            view = open_page(language, {"width": width, "height": 900})
            view.goto(view.base_url + link[chosen[1].pk])
            for name, path in pages.items():
                view.goto(view.base_url + path)
                if name == "information":
                    view.wait_for_selector("#map[data-ready='true']")
                assert view.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                    f"{name} scrolls sideways at {width} px in {language}"
                )
                view.screenshot(path=shots / f"{name}-{language}-{width}.png", full_page=True)
    survey.survey_close(actor=planner, survey=the_survey)
    for language in ("nb", "nn"):
        for width in WIDTHS:
            view = open_page(language, {"width": width, "height": 900})
            view.goto(view.base_url + f"/panels/{panel.pk}/survey/results/")
            assert view.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                f"results scroll sideways at {width} px in {language}"
            )
            view.screenshot(path=shots / f"results-{language}-{width}.png", full_page=True)
    body = view.locator("main").inner_text()
    assert "7 svarte på undersøkinga" in body and "Flere benker ved elva." in body
    # 3 women and 4 men answered: by gender, both groups are "fewer than 5".
    gender = view.locator("table.by-stratum", has_text="Kjønn").first.inner_text()
    assert gender.count("færre enn 5") == 2
    assert_accessible(axe, view)
