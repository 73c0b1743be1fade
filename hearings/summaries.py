"""The hearings of a case as its digest shows them: the counts and the planner's summary
by theme (``cases.sections``), read in a few queries whatever the number of answers."""

from __future__ import annotations

from django.db.models import Count, Q

from hearings.models import Hearing, HearingTheme, Respondent


def hearing_summaries(case) -> dict | None:
    """The case's hearings for its digest: each with its counts (answers, late ones, by who
    answered) and the planner's summary by theme with the answers each covers. None when
    the case has had no hearing."""
    hearings = list(
        Hearing.objects.filter(case=case)
        .annotate(
            answers_count=Count("answers"),
            late_count=Count("answers", filter=Q(answers__late=True)),
            **{
                f"by_{value}": Count("answers", filter=Q(answers__respondent=value))
                for value in Respondent.values
            },
        )
        .order_by("opens_on", "id")
    )
    if not hearings:
        return None
    themes = (
        HearingTheme.objects.filter(hearing__in=hearings)
        .prefetch_related("answers")
        .order_by("position", "id")
    )
    by_hearing: dict[int, list] = {}
    for theme in themes:
        by_hearing.setdefault(theme.hearing_id, []).append(
            {
                "title": theme.title,
                "text": theme.text,
                "answers": sorted(answer.reference for answer in theme.answers.all()),
            }
        )
    return {
        "hearings": [
            {
                "id": hearing.pk,
                "title": hearing.title,
                "opens_on": hearing.opens_on.isoformat(),
                "closes_on": hearing.closes_on.isoformat(),
                "url": hearing.get_absolute_url(),
                "counts": {
                    "answers": hearing.answers_count,
                    "late": hearing.late_count,
                    "by_respondent": [
                        {
                            "respondent": value,
                            "label": str(label),
                            "count": getattr(hearing, f"by_{value}"),
                        }
                        for value, label in Respondent.choices
                    ],
                },
                "themes": by_hearing.get(hearing.pk, []),
            }
            for hearing in hearings
        ]
    }
