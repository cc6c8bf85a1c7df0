from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from statements import derived


class Command(BaseCommand):
    help = (
        "Compare what the database keeps for us with statements/derived.py and with a "
        "recount from the content; exit 1 with the list if anything differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options) -> None:
        problems = derived.drift(connections[database])
        if problems:
            listed = "\n".join(f"- {problem}" for problem in problems)
            raise CommandError(
                f"The derived data has drifted:\n{listed}\nFix it with: manage.py rebuild_derived"
            )
        self.stdout.write(self.style.SUCCESS("The derived data matches its declaration."))
