from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a dated, complete backup (gzip-compressed JSON, plus pg_dump on PostgreSQL) "
        "to BACKUP_DIR (default var/backups/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", dest="directory", type=Path, help="Write here instead of BACKUP_DIR."
        )

    def handle(self, *args, directory: Path | None, **options) -> None:
        try:
            result = backup(directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in result.files:
            self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({path.stat().st_size:,} bytes)"))
