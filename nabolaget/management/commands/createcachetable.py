"""``createcachetable`` as the owner role: the web role may not create tables."""

from django.core.management.commands import createcachetable


class Command(createcachetable.Command):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")
