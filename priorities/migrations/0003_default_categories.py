"""The default categories of input (no municipality): reference data, seeded here only.

A municipality adds its own in the admin; one of its own with a default's slug stands in
for the default there.
"""

from django.db import migrations

# slug, Bokmål, Nynorsk, English, colour, position
CATEGORIES = [
    ('trafikksikkerhet', 'Trafikksikkerhet', 'Trafikktryggleik', 'Traffic safety', '#c0392b', 10),
    ('vei-og-gatelys', 'Vei, gang- og sykkelvei, gatelys', 'Veg, gang- og sykkelveg, gatelys', 'Roads, footpaths, cycle lanes and street lighting', '#7f8c8d', 20),
    ('kollektivtransport', 'Kollektivtransport', 'Kollektivtransport', 'Public transport', '#2471a3', 30),
    ('lek-og-friluft', 'Lek, friluftsliv og grøntområder', 'Leik, friluftsliv og grøntområde', 'Play, outdoor life and green spaces', '#1e8449', 40),
    ('moteplasser', 'Møteplasser og nærmiljø', 'Møteplassar og nærmiljø', 'Meeting places and local community', '#af601a', 50),
    ('skole-og-barnehage', 'Skole og barnehage', 'Skule og barnehage', 'Schools and kindergartens', '#6c3483', 60),
    ('kultur-og-idrett', 'Kultur og idrett', 'Kultur og idrett', 'Culture and sport', '#b7950b', 70),
    ('natur-og-miljo', 'Natur, klima og miljø', 'Natur, klima og miljø', 'Nature, climate and environment', '#117a65', 80),
    ('helse-og-omsorg', 'Helse og omsorg', 'Helse og omsorg', 'Health and care', '#a93226', 90),
    ('annet', 'Annet', 'Anna', 'Other', '#566573', 100),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("priorities", "Category")
    for slug, nb, nn, en, colour, position in CATEGORIES:
        Category.objects.get_or_create(
            slug=slug,
            municipality=None,
            defaults={"name_nb": nb, "name_nn": nn, "name_en": en, "colour": colour, "position": position},
        )


def remove_categories(apps, schema_editor):
    Category = apps.get_model("priorities", "Category")
    Category.objects.filter(
        slug__in=[c[0] for c in CATEGORIES], municipality=None, priorities__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("priorities", "0002_rollup_triggers")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
