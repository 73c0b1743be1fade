"""The panel's follow-up survey: the planner builds it (single choice, multiple choice, a
scale, free text), opens and closes it; each member answers once; the results, overall and
by stratum, never identify anyone.

Disclosure control (what the results show):
- nothing but the number of members is shown until at least ``MIN_GROUP`` (5) have
  answered;
- by stratum (age group, gender, area, as the member gave them), a group's numbers are
  shown only where at least 5 in it answered; a smaller group is "fewer than 5";
- **complementary suppression**: the overall numbers and the groups shown would give a
  suppressed group's numbers by subtraction, so while the suppressed groups of a stratum
  together have fewer than 5 answers, the smallest shown group is suppressed too (the
  subtraction then gives only a combined figure of at least 5 people). Every choice and
  scale question must be answered, so every question has the same groups and the pattern
  holds across questions;
- free text is shown without names, sorted by its text (not in the order it came in), and
  never by stratum.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from panels import tasks
from panels.models import (
    Panel,
    PanelStatus,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    Volunteer,
    VolunteerStatus,
)
from priorities.services import ANSWER_ROLES, staff_role

MIN_GROUP = 5
MAX_OPTIONS = 20
MAX_QUESTIONS = 50
MAX_TEXT = 2000
MAX_SCALE_STEPS = 11  # 0–10 at most
# The strata results are broken down by, and nothing else (any other column of the
# register extract may say more about a person than a panel's results should).
RESULT_STRATA = ("age_group", "gender", "area")
STRATUM_LABELS = {
    "age_group": gettext_lazy("age group"),
    "gender": gettext_lazy("gender"),
    "area": gettext_lazy("area"),
}
GENDER_LABELS = {
    "f": gettext_lazy("women"),
    "k": gettext_lazy("women"),
    "m": gettext_lazy("men"),
    "x": gettext_lazy("other"),
    "o": gettext_lazy("other"),
}
NOT_GIVEN = "-"


def _staff(actor, panel: Panel) -> None:
    staff_role(actor, panel.case.municipality_id, ANSWER_ROLES)


def survey_of(panel: Panel) -> Survey:
    """The panel's survey (made empty the first time it is asked for)."""
    survey, _created = Survey.objects.get_or_create(panel=panel)
    return survey


# --- building, opening, closing --------------------------------------------------------------


def _clean_options(options) -> list[str]:
    return [" ".join(str(option).split()) for option in options or () if str(option).strip()]


def question_errors(
    *, kind: str, text: str, options=(), scale_min: int = 1, scale_max: int = 5
) -> dict[str, list[ValidationError]]:
    """Every reason ``question_add`` would refuse these values."""
    errors: dict[str, list[ValidationError]] = {}
    if kind not in QuestionKind.values:
        errors["kind"] = [ValidationError(_("Choose a kind of question."))]
    if len((text or "").strip()) < 3:
        errors["text"] = [ValidationError(_("Write the question (at least 3 characters)."))]
    options = _clean_options(options)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2 or len(options) > MAX_OPTIONS:
            errors["options"] = [
                ValidationError(
                    _("Give between 2 and %(n)s options, one per line.") % {"n": MAX_OPTIONS}
                )
            ]
        elif len({option.casefold() for option in options}) != len(options):
            errors["options"] = [ValidationError(_("Each option only once."))]
        elif any(len(option) > 200 for option in options):
            errors["options"] = [ValidationError(_("An option has at most 200 characters."))]
    if kind == QuestionKind.SCALE and (
        scale_min is None
        or scale_max is None
        or scale_min >= scale_max
        or scale_max - scale_min + 1 > MAX_SCALE_STEPS
    ):
        errors["scale_max"] = [
            ValidationError(
                _("The scale's top must be above its bottom, with at most %(n)s steps.")
                % {"n": MAX_SCALE_STEPS}
            )
        ]
    return errors


@transaction.atomic
def question_add(
    *,
    actor,
    survey: Survey,
    kind: str,
    text: str,
    options=(),
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
) -> Question:
    """Add a question to a survey that is not opened yet."""
    _staff(actor, survey.panel)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.opened_at is not None:
        raise ValidationError(_("The survey is opened: its questions do not change."))
    if survey.questions.count() >= MAX_QUESTIONS:
        raise ValidationError(_("At most %(n)s questions.") % {"n": MAX_QUESTIONS})
    errors = question_errors(
        kind=kind, text=text, options=options, scale_min=scale_min, scale_max=scale_max
    )
    if errors:
        raise ValidationError(errors)
    is_scale = kind == QuestionKind.SCALE
    question = Question(
        survey=survey,
        kind=kind,
        text=(text or "").strip(),
        options=_clean_options(options)
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        else [],
        scale_min=scale_min if is_scale else 1,
        scale_max=scale_max if is_scale else 5,
        scale_min_label=(scale_min_label or "").strip() if is_scale else "",
        scale_max_label=(scale_max_label or "").strip() if is_scale else "",
        position=survey.questions.count(),
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_remove(*, actor, question: Question) -> None:
    """Take a question out of a survey that is not opened yet."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _staff(actor, survey.panel)
    if survey.opened_at is not None:
        raise ValidationError(_("The survey is opened: its questions do not change."))
    question.delete()


@transaction.atomic
def survey_open(*, actor, survey: Survey) -> Survey:
    """Open the survey to the panel's members (once; its questions are then fixed); each
    member with a link is e-mailed that it is open."""
    survey = Survey.objects.select_for_update().select_related("panel__case").get(pk=survey.pk)
    _staff(actor, survey.panel)
    if survey.opened_at is not None:
        raise ValidationError(_("The survey is opened already."))
    if survey.panel.status == PanelStatus.CLOSED:
        raise ValidationError(_("The panel is closed."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question first."))
    survey.opened_at = timezone.now()
    survey.save(update_fields=["opened_at"])
    survey_id = survey.pk
    transaction.on_commit(lambda: tasks.tell_members_survey_open.defer(survey_id=survey_id))
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    """Close the survey: no more answers; its results go into the case's digest."""
    survey = Survey.objects.select_for_update().select_related("panel__case").get(pk=survey.pk)
    _staff(actor, survey.panel)
    if not survey.is_open:
        raise ValidationError(_("The survey is not open."))
    survey.closed_at = timezone.now()
    survey.save(update_fields=["closed_at"])
    return survey


# --- answering ---------------------------------------------------------------------------


def _already() -> ValidationError:
    return ValidationError(
        _("You have answered this survey already. Each member answers once."), code="answered"
    )


def _as_ints(raw) -> list[int] | None:
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    try:
        return [int(str(value).strip()) for value in values if str(value).strip() != ""]
    except ValueError:
        return None


def answer_errors(questions, answers: Mapping) -> tuple[dict, dict]:
    """Check raw answers (question id -> a value or a list of values, as a form posts them)
    against the questions: the errors by field name (``q<id>``) and the clean values."""
    errors: dict[str, list[ValidationError]] = {}
    clean: dict[int, dict] = {}
    for question in questions:
        field = f"q{question.pk}"
        raw = answers.get(question.pk)
        if question.kind == QuestionKind.TEXT:
            text = str(raw or "").strip() if not isinstance(raw, (list, tuple)) else ""
            if len(text) > MAX_TEXT:
                errors[field] = [
                    ValidationError(
                        _("At most %(n)s characters (you wrote %(m)s).")
                        % {"n": MAX_TEXT, "m": len(text)}
                    )
                ]
            clean[question.pk] = {"text": text}
            continue
        values = _as_ints(raw if raw is not None else [])
        if not values:
            message = (
                _("Choose a number on the scale.")
                if question.kind == QuestionKind.SCALE
                else _("Choose an answer.")
            )
            errors[field] = [ValidationError(message if values is not None else _("Not a choice."))]
            continue
        if question.kind == QuestionKind.SCALE:
            if len(values) != 1 or not (question.scale_min <= values[0] <= question.scale_max):
                errors[field] = [
                    ValidationError(
                        _("Choose a whole number from %(a)s to %(b)s.")
                        % {"a": question.scale_min, "b": question.scale_max}
                    )
                ]
                continue
            clean[question.pk] = {"value": values[0]}
        else:
            count = len(question.options)
            if question.kind == QuestionKind.SINGLE and len(values) != 1:
                errors[field] = [ValidationError(_("Choose one answer."))]
            elif any(not (0 <= value < count) for value in values) or len(set(values)) != len(
                values
            ):
                errors[field] = [ValidationError(_("Choose among the options given."))]
            else:
                clean[question.pk] = {"choices": sorted(values)}
    return errors, clean


def _strata_of(volunteer: Volunteer) -> dict:
    given = volunteer.strata or {}
    return {key: str(given[key]) for key in RESULT_STRATA if given.get(key) not in (None, "")}


@transaction.atomic
def survey_answer(*, survey: Survey, volunteer: Volunteer, answers: Mapping) -> SurveyResponse:
    """A member answers the survey, once (also enforced by a unique constraint): every
    choice and scale question answered within its options or range, free text optional
    and at most ``MAX_TEXT`` characters. Nothing is written when anything is refused."""
    survey = Survey.objects.select_related("panel").get(pk=survey.pk)
    if volunteer.panel_id != survey.panel_id or volunteer.status != VolunteerStatus.SELECTED:
        raise ValidationError(_("Only the panel's members answer its survey."), code="not_member")
    if not survey.is_open:
        raise ValidationError(_("The survey is not open."), code="closed")
    if SurveyResponse.objects.filter(survey=survey, volunteer=volunteer).exists():
        raise _already()
    questions = list(survey.questions.all())
    errors, clean = answer_errors(questions, answers)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, volunteer=volunteer, strata=_strata_of(volunteer)
            )
    except IntegrityError as exc:  # answered at the same moment in another request
        raise _already() from exc
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question_id=question_id, **values)
        for question_id, values in clean.items()
    )
    return response


# --- results -----------------------------------------------------------------------------


def suppressed_groups(sizes: Mapping[str, int], minimum: int = MIN_GROUP) -> set[str]:
    """The groups of one stratum whose numbers are not shown: those with fewer than
    ``minimum`` answers, and, while those together have fewer than ``minimum`` (so that a
    subtraction from the totals would show them), the smallest of the others too."""
    hidden = {group for group, size in sizes.items() if size < minimum}
    if not hidden:
        return hidden
    shown = sorted((size, group) for group, size in sizes.items() if group not in hidden)
    while sum(sizes[group] for group in hidden) < minimum and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def _pct(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


# The counts per question, stratum, group and option in one statement (raw SQL: unnesting
# the chosen options and the strata in the ORM would take a query per question and group,
# and reading every answer into Python is ten thousand rows for a panel of 500).
COUNTS_SQL = """
SELECT a.question_id, g.stratum, g.grp, c.choice, count(*)
  FROM panels_surveyanswer a
  JOIN panels_surveyresponse r ON r.id = a.response_id
 CROSS JOIN LATERAL unnest(
       CASE WHEN a.value IS NULL THEN a.choices ELSE ARRAY[a.value] END) AS c(choice)
 CROSS JOIN LATERAL (VALUES
       ('', ''),
       ('age_group', coalesce(nullif(r.strata->>'age_group', ''), '-')),
       ('gender', coalesce(nullif(r.strata->>'gender', ''), '-')),
       ('area', coalesce(nullif(r.strata->>'area', ''), '-'))) AS g(stratum, grp)
 WHERE r.survey_id = %s
 GROUP BY 1, 2, 3, 4
"""


def _counts(survey: Survey) -> dict[tuple[int, str, str], Counter]:
    """(question, stratum, group) -> option -> count; the overall counts under ("", "")."""
    found: dict[tuple[int, str, str], Counter] = defaultdict(Counter)
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, [survey.pk])
        for question_id, stratum, group, choice, count in cursor.fetchall():
            found[(question_id, stratum, group)][choice] = count
    return found


def _tally(question: Question, counts: Mapping[int, int], n: int) -> dict:
    """The numbers of one question among ``n`` who answered it (a group, or everyone)."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return {
            "n": n,
            "options": [
                {"label": label, "count": counts[index], "percent": _pct(counts[index], n)}
                for index, label in enumerate(question.options)
            ],
        }
    values = range(question.scale_min, question.scale_max + 1)
    answered = sum(counts[value] for value in values)
    return {
        "n": n,
        "mean": round(sum(value * counts[value] for value in values) / answered, 2)
        if answered
        else None,
        "options": [
            {"label": str(value), "count": counts[value], "percent": _pct(counts[value], n)}
            for value in values
        ],
    }


def _group_label(stratum: str, value: str, areas: Mapping[str, str]) -> str:
    if value == NOT_GIVEN:
        return str(_("not given"))
    if stratum == "gender":
        return str(GENDER_LABELS.get(value.lower(), value))
    if stratum == "area":
        return areas.get(value, value)
    return value


def survey_results(survey: Survey) -> dict:
    """The survey's results as JSON-serialisable data (the planner's page, the members'
    page once closed, and the case's digest): overall and by stratum, suppressed as the
    module says."""
    panel = survey.panel
    members = Volunteer.objects.filter(panel=panel, status=VolunteerStatus.SELECTED).count()
    questions = list(survey.questions.all())
    responses = list(SurveyResponse.objects.filter(survey=survey).values("pk", "strata"))
    total = len(responses)
    result = {
        "members": members,
        "respondents": total if total >= MIN_GROUP else None,
        "enough": total >= MIN_GROUP,
        "min_group": MIN_GROUP,
        "opened": survey.opened_at.isoformat() if survey.opened_at else None,
        "closed": survey.closed_at.isoformat() if survey.closed_at else None,
        "questions": [],
    }
    if total < MIN_GROUP:
        result["questions"] = [
            {"id": q.pk, "kind": q.kind, "text": q.text, "kind_label": str(q.get_kind_display())}
            for q in questions
        ]
        return result
    strata_of = {row["pk"]: row["strata"] or {} for row in responses}
    counts = _counts(survey)
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (
        SurveyAnswer.objects.filter(response__survey=survey, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .order_by("text", "pk")
        .values_list("question_id", "text")
    ):
        texts[question_id].append(text)
    dimensions = [s for s in (panel.strata or RESULT_STRATA) if s in RESULT_STRATA] or list(
        RESULT_STRATA
    )
    area_ids = {
        strata.get("area") for strata in strata_of.values() if str(strata.get("area", "")).isdigit()
    }
    areas = {
        str(pk): name for pk, name in Area.objects.filter(pk__in=area_ids).values_list("pk", "name")
    }
    groups = {
        stratum: Counter(str(strata.get(stratum) or NOT_GIVEN) for strata in strata_of.values())
        for stratum in dimensions
    }
    # A stratum no one gave says nothing by itself (it would repeat the totals).
    groups = {stratum: sizes for stratum, sizes in groups.items() if set(sizes) != {NOT_GIVEN}}
    dimensions = [stratum for stratum in dimensions if stratum in groups]
    hidden = {stratum: suppressed_groups(sizes) for stratum, sizes in groups.items()}
    for question in questions:
        item = {
            "id": question.pk,
            "kind": question.kind,
            "kind_label": str(question.get_kind_display()),
            "text": question.text,
        }
        if question.kind == QuestionKind.TEXT:
            item["texts"] = texts.get(question.pk, [])
            result["questions"].append(item)
            continue
        item |= _tally(question, counts[(question.pk, "", "")], total)
        if question.kind == QuestionKind.SCALE:
            item["scale"] = {
                "min": question.scale_min,
                "max": question.scale_max,
                "min_label": question.scale_min_label,
                "max_label": question.scale_max_label,
            }
        item["by_stratum"] = []
        for stratum in dimensions:
            rows = []
            for value in sorted(groups[stratum], key=lambda v: (v == NOT_GIVEN, v)):
                label = _group_label(stratum, value, areas)
                if value in hidden[stratum]:
                    rows.append({"label": label, "suppressed": True})
                    continue
                rows.append(
                    {"label": label, "suppressed": False}
                    | _tally(
                        question, counts[(question.pk, stratum, value)], groups[stratum][value]
                    )
                )
            item["by_stratum"].append(
                {"stratum": stratum, "label": str(STRATUM_LABELS[stratum]), "groups": rows}
            )
        result["questions"].append(item)
    return result
