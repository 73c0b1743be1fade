"""The follow-up survey: each member answers once, within the options and the scale, and
the results never give away a group of fewer than 5 (also not by subtraction)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role
from panels import survey
from panels.models import SurveyAnswer, SurveyResponse, VolunteerStatus
from tests.panels.survey_factories import make_members, make_panel, make_survey
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def good(questions, choice=0, picks=(0, 2), value=4, text=""):
    single, multiple, scale, free = questions
    return {single.pk: choice, multiple.pk: list(picks), scale.pk: value, free.pk: text}


def test_a_member_answers_once_and_a_second_answer_writes_nothing(planner):
    panel = make_panel(planner)
    (member,) = make_members(panel, 1)
    the_survey, questions = make_survey(panel, planner)

    survey.survey_answer(survey=the_survey, volunteer=member, answers=good(questions, text="Fint"))
    with pytest.raises(ValidationError) as refused:
        survey.survey_answer(survey=the_survey, volunteer=member, answers=good(questions, 1))

    assert refused.value.code == "answered"
    assert "answered this survey already" in refused.value.messages[0] or (
        "svart på" in refused.value.messages[0]
    )
    assert SurveyResponse.objects.count() == 1
    assert list(
        SurveyAnswer.objects.order_by("question__position").values_list("choices", flat=True)
    )[0] == [0]


def test_the_database_refuses_a_second_answer_too(planner):
    """The unique constraint holds even if two requests pass the check at the same time."""
    panel = make_panel(planner)
    (member,) = make_members(panel, 1)
    the_survey, questions = make_survey(panel, planner)
    survey.survey_answer(survey=the_survey, volunteer=member, answers=good(questions))

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=the_survey, volunteer=member)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"choice": 3}, 0, "Velg blant alternativene"),
        ({"choice": "ja"}, 0, "Ikke et valg"),
        ({"picks": (0, 7)}, 1, "Velg blant alternativene"),
        ({"picks": ()}, 1, "Velg et svar"),
        ({"value": 6}, 2, "Velg et helt tall fra 1 til 5"),
        ({"value": 0}, 2, "Velg et helt tall fra 1 til 5"),
        ({"text": "x" * 2001}, 3, "Høyst 2000 tegn"),
    ],
)
def test_bad_answers_are_refused_in_the_members_language_and_nothing_is_written(
    planner, change, field, message
):
    panel = make_panel(planner)
    (member,) = make_members(panel, 1)
    the_survey, questions = make_survey(panel, planner)

    with pytest.raises(ValidationError) as refused:
        survey.survey_answer(survey=the_survey, volunteer=member, answers=good(questions, **change))

    errors = refused.value.message_dict
    assert list(errors) == [f"q{questions[field].pk}"]
    assert message in errors[f"q{questions[field].pk}"][0]
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()


def test_only_selected_members_of_this_panel_answer_an_open_survey(planner):
    panel = make_panel(planner)
    (alternate,) = make_members(panel, 1, status=VolunteerStatus.ALTERNATE)
    other_panel = make_panel(planner, number="2026/5502")
    (stranger,) = make_members(other_panel, 1)
    the_survey, questions = make_survey(panel, planner)

    for volunteer in (alternate, stranger):
        with pytest.raises(ValidationError) as refused:
            survey.survey_answer(survey=the_survey, volunteer=volunteer, answers=good(questions))
        assert refused.value.code == "not_member"
    survey.survey_close(actor=planner, survey=the_survey)
    (member,) = make_members(panel, 1)
    with pytest.raises(ValidationError) as closed:
        survey.survey_answer(survey=the_survey, volunteer=member, answers=good(questions))
    assert closed.value.code == "closed"
    assert not SurveyResponse.objects.exists()


def test_questions_do_not_change_once_the_survey_is_open(planner):
    panel = make_panel(planner)
    the_survey, (single, *_rest) = make_survey(panel, planner)

    with pytest.raises(ValidationError):
        survey.question_add(actor=planner, survey=the_survey, kind="text", text="Mer?")
    with pytest.raises(ValidationError):
        survey.question_remove(actor=planner, question=single)
    assert the_survey.questions.count() == 4


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"a": 9, "b": 7, "c": 6}, set()),
        # One small group: the next smallest goes too, or a subtraction gives it away.
        ({"a": 9, "b": 7, "c": 2}, {"b", "c"}),
        # Two small groups that together have 5: no more is needed.
        ({"a": 9, "b": 3, "c": 2}, {"b", "c"}),
        # Two small groups with 4 together: the smallest shown one too.
        ({"a": 9, "b": 6, "c": 2, "d": 2}, {"b", "c", "d"}),
        # Everything small: all hidden.
        ({"a": 3, "b": 1}, {"a", "b"}),
    ],
)
def test_complementary_suppression(sizes, hidden):
    assert survey.suppressed_groups(sizes) == hidden
    if hidden:
        assert sum(sizes[group] for group in hidden) >= 5 or hidden == set(sizes)


def test_results_by_stratum_hide_groups_of_fewer_than_5_and_their_complement(planner):
    """12 answers: 6 women, 4 men, 2 without a gender; the men (4) and the not-given (2)
    are both hidden; by age group 30-49 (2) is hidden together with the next smallest."""
    panel = make_panel(planner)
    strata = (
        [{"age_group": "16-29", "gender": "f"}] * 5
        + [{"age_group": "30-49", "gender": "f"}]
        + [{"age_group": "50-66", "gender": "m"}] * 4
        + [{"age_group": "30-49"}]
        + [{"age_group": "50-66"}]
    )
    chosen = make_members(panel, 12, strata=strata)
    the_survey, questions = make_survey(panel, planner)
    for index, member in enumerate(chosen):
        survey.survey_answer(
            survey=the_survey,
            volunteer=member,
            answers=good(
                questions, choice=index % 2, value=1 + index % 5, text=f"Svar {index:02d}"
            ),
        )

    results = survey.survey_results(the_survey)

    assert results["respondents"] == 12 and results["members"] == 12
    single = results["questions"][0]
    assert [o["count"] for o in single["options"]] == [6, 6, 0]
    by_gender = next(s for s in single["by_stratum"] if s["stratum"] == "gender")
    shown = {g["label"]: g for g in by_gender["groups"]}
    assert shown["kvinner"]["n"] == 6 and not shown["kvinner"]["suppressed"]
    assert shown["menn"] == {"label": "menn", "suppressed": True}
    assert shown["ikke oppgitt"]["suppressed"]
    by_age = next(s for s in single["by_stratum"] if s["stratum"] == "age_group")
    ages = {g["label"]: g for g in by_age["groups"]}
    # 16-29: 5, 30-49: 2, 50-66: 5: 30-49 is hidden, and one group of 5 with it.
    assert ages["30-49"]["suppressed"]
    assert sum(1 for g in ages.values() if g["suppressed"]) == 2
    free = results["questions"][3]
    assert free["texts"] == sorted(f"Svar {i:02d}" for i in range(12))
    assert "by_stratum" not in free
    assert "Medlem" not in str(results)


def test_fewer_than_5_answers_show_nothing(planner):
    panel = make_panel(planner)
    chosen = make_members(panel, 4)
    the_survey, questions = make_survey(panel, planner)
    for member in chosen:
        survey.survey_answer(
            survey=the_survey, volunteer=member, answers=good(questions, text="Hemmelig")
        )

    results = survey.survey_results(the_survey)

    assert results["respondents"] is None and not results["enough"]
    assert "Hemmelig" not in str(results) and "options" not in str(results)
