from django.core.management.base import BaseCommand, CommandParser

from statements.services import bodies_render


class Command(BaseCommand):
    help = (
        "Render the statement pages' bodies, and the resolution pages' quotes, whose kept "
        "copy is not the one the current code, templates and content make (after a "
        "release, or writes outside the services); --all renders every body."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Render every body, not only stale ones."
        )

    def handle(self, *args, all: bool, **options) -> None:
        rendered = bodies_render(stale_only=not all)
        self.stdout.write(self.style.SUCCESS(f"Rendered {rendered} statement bodies."))
