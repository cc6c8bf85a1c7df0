from django.core.management.base import BaseCommand, CommandParser

from statements.services import paragraphs_relink_stale


class Command(BaseCommand):
    help = (
        "Recompute every paragraph's cited resolutions from its text with today's rules "
        "(statements/importing/citations.py). Resolutions an editor linked by hand that "
        "the text does not cite are unlinked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the paragraphs; write nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        changed = paragraphs_relink_stale(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{changed} paragraph(s) would be relinked (dry run).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Relinked {changed} paragraph(s)."))
