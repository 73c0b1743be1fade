"""Load the demo municipality (Bodø). Safe to run again."""

from django.core.management.base import BaseCommand

from nabolaget.demo import load_demo, load_demo_councils, load_demo_priorities


class Command(BaseCommand):
    help = "Load Bodø's real boundary and illustrative school districts, hamlets and input."

    def handle(self, *args, **options) -> None:
        for report in load_demo():
            self.stdout.write(report.summary())
        load_demo_councils()
        added = load_demo_priorities()

        if added:
            self.stdout.write(f"{added} illustrative sample priorities added.")
        self.stdout.write(self.style.SUCCESS("Demo municipality Bodø (1804) is ready."))
