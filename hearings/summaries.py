"""The planner's summary of hearings and their counts, as the summary page and the case's
digest show them (``cases.sections``): read in a few queries whatever the number of
answers (a theme may cover thousands), as values, not model instances."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q

from hearings.models import Hearing, HearingTheme, Respondent


def hearing_counts(hearing_ids: Sequence[int]) -> dict[int, dict]:
    """Per hearing: its answers, the late ones, and how many from each kind of respondent
    (every answer received, published or not: a count names no one)."""
    rows = (
        Hearing.objects.filter(pk__in=hearing_ids)
        .annotate(
            answers_count=Count("answers"),
            late_count=Count("answers", filter=Q(answers__late=True)),
            **{
                f"by_{value}": Count("answers", filter=Q(answers__respondent=value))
                for value in Respondent.values
            },
        )
        .values("pk", "answers_count", "late_count", *(f"by_{v}" for v in Respondent.values))
    )
    return {
        row["pk"]: {
            "answers": row["answers_count"],
            "late": row["late_count"],
            "by_respondent": [
                {"respondent": value, "label": str(label), "count": row[f"by_{value}"]}
                for value, label in Respondent.choices
            ],
        }
        for row in rows
    }


def hearing_themes(hearing_ids: Sequence[int]) -> dict[int, list[dict]]:
    """Per hearing: its themes in order, each with the answers it covers as (id, reference)
    pairs sorted by reference."""
    themes: dict[int, list[dict]] = {}
    by_id: dict[int, dict] = {}
    for theme in (
        HearingTheme.objects.filter(hearing_id__in=hearing_ids)
        .order_by("position", "id")
        .values("id", "hearing_id", "title", "text", "position")
    ):
        theme["answers"] = []
        by_id[theme["id"]] = theme
        themes.setdefault(theme["hearing_id"], []).append(theme)
    links = (
        HearingTheme.answers.through.objects.filter(hearingtheme_id__in=list(by_id))
        .order_by("hearinganswer__reference")
        .values_list("hearingtheme_id", "hearinganswer_id", "hearinganswer__reference")
    )
    for theme_id, answer_id, reference in links:
        by_id[theme_id]["answers"].append((answer_id, reference))
    return themes


def hearing_summaries(case) -> dict | None:
    """The case's hearings for its digest: each with its counts (answers, late ones, by who
    answered) and the planner's summary by theme with the answers each covers. None when
    the case has had no hearing."""
    hearings = list(
        Hearing.objects.filter(case=case)
        .order_by("opens_on", "id")
        .values("id", "title", "opens_on", "closes_on")
    )
    if not hearings:
        return None
    ids = [hearing["id"] for hearing in hearings]
    counts = hearing_counts(ids)
    themes = hearing_themes(ids)
    return {
        "hearings": [
            {
                "id": hearing["id"],
                "title": hearing["title"],
                "opens_on": hearing["opens_on"].isoformat(),
                "closes_on": hearing["closes_on"].isoformat(),
                "url": Hearing(pk=hearing["id"]).get_absolute_url(),
                "counts": counts[hearing["id"]],
                "themes": [
                    {
                        "title": theme["title"],
                        "text": theme["text"],
                        "answers": [reference for _id, reference in theme["answers"]],
                    }
                    for theme in themes.get(hearing["id"], [])
                ],
            }
            for hearing in hearings
        ]
    }
