from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from mofa_site.caching import content_changed
from statements import derived


class Command(BaseCommand):
    help = (
        "Install the triggers and search tables declared in statements/derived.py and "
        "recompute every derived value (counts, tallies, published citations, search) "
        "from the content."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options) -> None:
        connection = connections[database]
        if not derived.is_installable(connection):
            raise CommandError(
                f"The database is not migrated to {derived.installing_migration()} yet: "
                "run manage.py migrate."
            )
        with transaction.atomic(using=database):
            derived.install(connection)
            derived.rebuild(connection)
            # Not a service: retire the cached pages, which may show the wrong counts.
            content_changed(using=database)
        self.stdout.write(self.style.SUCCESS("Installed and rebuilt the derived data."))
