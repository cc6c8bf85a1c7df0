from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from statements.models import Statement
from statements.services import fixtures_load


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty archive; never overwrites existing content."

    def handle(self, *args, **options) -> None:
        if Statement.objects.exists():
            self.stdout.write("The archive already holds statements; seed fixtures not loaded.")
            return
        fixtures = sorted(str(path) for path in Path(settings.BASE_DIR, "fixtures").glob("*.json"))
        if not fixtures:
            raise CommandError("No fixtures found under fixtures/.")
        fixtures_load(paths=fixtures)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(fixtures)} fixture file(s): {Statement.objects.count()} statements."
            )
        )
