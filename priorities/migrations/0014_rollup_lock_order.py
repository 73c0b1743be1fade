"""The rollup triggers upsert the municipality's row before its areas' rows in every
statement (area NULL first), so concurrent new priorities and supports cannot deadlock."""

from django.db import migrations

from priorities import rollups


class Migration(migrations.Migration):
    dependencies = [("priorities", "0013_rollup_area_indexes")]

    operations = [migrations.RunSQL(rollups.FUNCTIONS_SQL, migrations.RunSQL.noop)]
