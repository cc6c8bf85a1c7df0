from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.seeding import seed_fixture_build


class Command(BaseCommand):
    help = "Build fixtures/seed.json from seeds/ and seeds/curated_facts.toml (empty database)."

    def add_arguments(self, parser: CommandParser) -> None:
        base = Path(settings.BASE_DIR)
        parser.add_argument("--seeds", type=Path, default=base / "seeds")
        parser.add_argument("--facts", type=Path, default=base / "seeds" / "curated_facts.toml")
        parser.add_argument("--output", type=Path, default=base / "fixtures" / "seed.json")

    def handle(self, *args, seeds: Path, facts: Path, output: Path, **options) -> None:
        try:
            fixture = seed_fixture_build(seeds_dir=seeds, facts_path=facts)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        output.write_text(fixture, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
