from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.models import Statement
from statements.services import statements_reparse
from statements.services.recording import chunks


class Command(BaseCommand):
    help = (
        "Read the stored pages (statements' source text) again with today's parser; show, "
        "per statement and field, the last import's reading and today's, and apply today's "
        "to every field an editor has not changed since (as a re-import would)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Only these statements (default: all).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(self, *args, slugs: list[str], dry_run: bool, **options) -> None:
        stored = Statement.objects.exclude(source_text="")
        if slugs:
            found = set(Statement.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if unknown := [slug for slug in slugs if slug not in found]:
                raise CommandError(f"No statement with the slug: {', '.join(unknown)}.")
            stored = stored.filter(slug__in=slugs)
        counts = {"updated": 0, "unchanged": 0, "unreadable": 0}
        would = 0  # with --dry-run: pages that would be updated
        unreadable = []
        for chunk in chunks(list(stored.order_by("slug").values_list("pk", flat=True)), 200):
            statements = list(Statement.objects.filter(pk__in=chunk).order_by("slug"))
            for outcome in statements_reparse(statements=statements, dry_run=dry_run):
                counts[outcome.action] += 1
                would += any(not change.kept for change in outcome.changes)
                if outcome.error:
                    unreadable.append(f"{outcome.statement.slug}: {outcome.error}")
                for change in outcome.changes:
                    self.stdout.write(f"{outcome.statement.slug}: {change.describe()}")
        summary = f"{sum(counts.values())} stored page(s): " + (
            f"{would} would be updated; nothing written (dry run)."
            if dry_run
            else f"{counts['updated']} updated, {counts['unchanged']} unchanged."
        )
        if unreadable:
            raise CommandError(
                f"{summary} {len(unreadable)} page(s) today's parser cannot read:\n"
                + "\n".join(unreadable)
            )
        self.stdout.write(self.style.SUCCESS(f"Re-parsed {summary}"))
