"""The council kinds the law and the pilot municipalities use; administrators can add more."""

from django.db import migrations

KINDS = [
    ("kommunedelsutvalg", "Kommunedelsutvalg", "Kommunedelsutval / grendeutval", "Sub-municipal council"),
    ("ungdomsrad", "Ungdomsråd", "Ungdomsråd", "Youth council"),
    ("eldrerad", "Eldreråd", "Eldreråd", "Council for the elderly"),
    (
        "funksjonsnedsettelse",
        "Råd for personer med funksjonsnedsettelse",
        "Råd for personar med funksjonsnedsetjing",
        "Council for persons with disabilities",
    ),
    ("naermiljorad", "Nærmiljøråd", "Nærmiljøråd", "Neighbourhood council"),
]


def add_kinds(apps, schema_editor):
    CouncilKind = apps.get_model("councils", "CouncilKind")
    for slug, nb, nn, en in KINDS:
        CouncilKind.objects.get_or_create(slug=slug, defaults={"name_nb": nb, "name_nn": nn, "name_en": en})


def remove_kinds(apps, schema_editor):
    CouncilKind = apps.get_model("councils", "CouncilKind")
    CouncilKind.objects.filter(slug__in=[k[0] for k in KINDS], councils__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("councils", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, remove_kinds)]
