"""Load the demo municipality (Bodø). Safe to run again."""

from django.core.management.base import BaseCommand

from nabolaget.demo import (
    demo_staff,
    load_demo,
    load_demo_budget,
    load_demo_councils,
    load_demo_priorities,
)
from nabolaget.demo_activity import load_demo_activity


class Command(BaseCommand):
    help = "Load Bodø's real boundary and illustrative school districts, hamlets and input."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--without-activity",
            action="store_true",
            help="only the areas, councils and sample priorities, not the year of activity "
            "(the benchmarks load their own input)",
        )

    def handle(self, *args, **options) -> None:
        for report in load_demo():
            self.stdout.write(report.summary())
        load_demo_councils()
        added = load_demo_priorities()

        if added:
            self.stdout.write(f"{added} illustrative sample priorities added.")
        year = 0 if options["without_activity"] else load_demo_activity(staff=demo_staff())
        if year:
            self.stdout.write(f"A year of illustrative activity added: {year} priorities.")
        if load_demo_budget(staff=demo_staff()):
            self.stdout.write("An illustrative budget (case 2026/1800) added.")
        self.stdout.write(self.style.SUCCESS("Demo municipality Bodø (1804) is ready."))
