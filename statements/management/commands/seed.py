from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from statements.models import Statement


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty archive; never overwrites existing content."

    def handle(self, *args, **options) -> None:
        if Statement.objects.exists():
            self.stdout.write("The archive already holds statements; seed fixtures not loaded.")
            return
        fixtures = sorted(str(path) for path in Path(settings.BASE_DIR, "fixtures").glob("*.json"))
        if not fixtures:
            raise CommandError("No fixtures found under fixtures/.")
        call_command("loaddata", *fixtures, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(fixtures)} fixture file(s): {Statement.objects.count()} statements."
            )
        )
