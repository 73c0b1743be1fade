"""Every request to councils for statements (councils.Consultation) made before hearings
existed becomes a hearing that invites its councils: its case, councils, deadline, summary,
questions and who made it. The consultations and the statements filed on them stay as
they are; the hearing's page lists those statements.

Reversing keeps the hearings (a hearing is on the record and its rows refuse deletion);
running it again makes none twice (each hearing names its consultation)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def consultations_to_hearings(apps, schema_editor):
    Consultation = apps.get_model("councils", "Consultation")
    Hearing = apps.get_model("hearings", "Hearing")
    zone = ZoneInfo(settings.TIME_ZONE)
    done = set(Hearing.objects.exclude(consultation=None).values_list("consultation_id", flat=True))
    for consultation in (
        Consultation.objects.exclude(pk__in=done).select_related("case").order_by("pk")
    ):
        created = consultation.created_at.astimezone(zone).date()
        hearing = Hearing.objects.create(
            case=consultation.case,
            consultation=consultation,
            title=consultation.case.title[:200],
            decision=consultation.summary,
            questions=consultation.questions,
            opens_on=min(created, consultation.deadline),
            closes_on=consultation.deadline,
            audience="invited",
            invited_emails=[],
            publication="at_once",
            created_by_id=consultation.created_by_id,
        )
        hearing.invited_councils.set(consultation.councils.all())


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_initial"), ("councils", "0003_status_merged")]

    operations = [migrations.RunPython(consultations_to_hearings, migrations.RunPython.noop)]
