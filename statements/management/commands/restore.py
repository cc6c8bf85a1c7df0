from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.backup import BackupError, restore


class Command(BaseCommand):
    help = "Load a backup (*.json.gz from `backup`) into an empty, migrated database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup to load.")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            counts = restore(path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{n:,} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {file}: {summary}."))
