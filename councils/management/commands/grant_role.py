"""Give an account a staff role: grant_role EMAIL ROLE [--municipality NNNN] [--council C].

Here, in the councils app, because one role is not a municipality's but a council's: a
``council_secretary`` is the secretary of the council named with ``--council`` (a
CouncilMembership, as the admin's "Council memberships" makes), the one who files for it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from accounts.models import Role
from accounts.services import role_grant
from councils.services import council_secretary_grant


class Command(BaseCommand):
    help = (
        "Give an account a staff role in a municipality (planner, councillor, moderator, "
        "administrator), or make it the secretary of a council (council_secretary --council)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument(
            "--municipality",
            default=None,
            help="Kommunenummer (default: the demo municipality, NABOLAGET_DEMO_MUNICIPALITY).",
        )
        parser.add_argument(
            "--council",
            default=None,
            help="For council_secretary: the council's number (its id) or its exact name, "
            "in the municipality.",
        )

    @no_translations
    def handle(self, *args, **options) -> None:
        code = options["municipality"] or settings.NABOLAGET_DEMO_MUNICIPALITY
        email, role, council = options["email"], options["role"], options["council"]
        if role == Role.COUNCIL_SECRETARY and not council:
            raise CommandError(
                "A council secretary is the secretary of one council: name it with "
                "--council (its id or its name), e.g. "
                f"grant_role {email} council_secretary --council 'Ungdomsrådet i Bodø'."
            )
        if role != Role.COUNCIL_SECRETARY and council:
            raise CommandError(f"--council is for council_secretary only, not for {role}.")
        try:
            if council:
                membership, created = council_secretary_grant(
                    email=email, council=council, municipality_code=code
                )
                verb = "is now" if created else "already was"
                message = f"{email} {verb} the secretary of {membership.council.name} ({code})."
            else:
                grant, created = role_grant(email=email, role=role, municipality_code=code)
                verb = "now has" if created else "already had"
                message = f"{email} {verb} the role {grant.role} in {code}."
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(message))
