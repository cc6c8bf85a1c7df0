import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements import synthetic


class Command(BaseCommand):
    help = (
        "Add N synthetic statements (deterministic for a seed) for benchmarks. Refuses a "
        "database holding real statements unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--statements", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add synthetic statements even though real ones are present.",
        )

    def handle(self, *args, statements: int, seed: int, force: bool, **options) -> None:
        if statements < 1:
            raise CommandError("--statements must be at least 1.")
        real = synthetic.non_synthetic_statements().count()
        if real and not force:
            raise CommandError(
                f"This database holds {real} real (non-synthetic) statement(s); synthetic "
                "content would mix with them. Use an empty database, or pass --force."
            )
        started = time.perf_counter()

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{statements} statements")

        result = synthetic.corpus_generate(statements=statements, seed=seed, progress=progress)
        synthetic.planner_statistics_refresh()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.statements} statements ({result.paragraphs} paragraphs, "
                f"{result.citations} citations, {result.resolutions_created} new resolutions, "
                f"{result.meetings} meetings) in {elapsed:.1f} s "
                f"({result.statements / elapsed:.0f} statements/s)."
            )
        )
