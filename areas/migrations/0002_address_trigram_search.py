"""Address suggestions as one types: pg_trgm and a trigram index on the address text.

pg_trgm is a trusted extension (PostgreSQL 13+): the owner of the database creates it
without being a superuser, as nabolaget_owner does here; scripts/ensure-db.sh also creates
it as the superuser, as it does PostGIS, for a database whose owner is another role. It is
left in place when this migration is reversed (another part of the database may use it).
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="address",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("text"), name="gin_trgm_ops"
                ),
                name="address_text_trgm",
            ),
        ),
    ]
