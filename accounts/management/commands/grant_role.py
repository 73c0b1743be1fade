"""Give an account a staff role in a municipality: grant_role EMAIL ROLE [--municipality NNNN]."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from accounts.models import Role
from accounts.services import role_grant


class Command(BaseCommand):
    help = "Give an account a staff role (planner, councillor, council_secretary, moderator, administrator)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument(
            "--municipality",
            default=None,
            help="Kommunenummer (default: the demo municipality, NABOLAGET_DEMO_MUNICIPALITY).",
        )

    @no_translations
    def handle(self, *args, **options) -> None:
        code = options["municipality"] or settings.NABOLAGET_DEMO_MUNICIPALITY
        try:
            grant, created = role_grant(
                email=options["email"], role=options["role"], municipality_code=code
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "now has" if created else "already had"
        self.stdout.write(
            self.style.SUCCESS(f"{options['email']} {verb} the role {grant.role} in {code}.")
        )
