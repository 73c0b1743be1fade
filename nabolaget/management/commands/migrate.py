"""``migrate`` as the owner role: the web role may not change the schema.

Django's own command, with ``--database`` defaulting to the ``owner`` alias (the role that
owns the tables; README, "Use your own PostGIS"), so ``manage.py migrate`` works as before.
"""

from django.core.management.commands import migrate


class Command(migrate.Command):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")
