"""Compare the per-area rollup with a fresh aggregate of the priorities; rebuild on request."""

from django.core.management.base import BaseCommand, CommandError

from priorities import rollups


class Command(BaseCommand):
    help = (
        "Check that the per-area rollup (PriorityAreaStat, PriorityAnswerDays) equals a "
        "fresh aggregate of the priorities; --rebuild recomputes it (after a bulk load with "
        "triggers off)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute the rollup first")

    def handle(self, *args, rebuild: bool = False, **options):
        if rebuild:
            rollups.rebuild()
            self.stdout.write("Rebuilt the per-area rollup.")
        drift = rollups.drift()
        if drift:
            for row in drift[:20]:
                self.stderr.write(f"  {row}")
            raise CommandError(f"The rollup differs from the priorities in {len(drift)} rows.")
        self.stdout.write("The per-area rollup is exact.")
