from django.core.management.base import BaseCommand

from statements.models import Participant, Person, Statement
from statements.services import people_link_all


class Command(BaseCommand):
    help = (
        "Link every speaker and participant that has no person yet to the person its name "
        "matches, creating unconfirmed people for editors to confirm (once, after migrating "
        "an archive older than people; imports, saves and the seed fixtures link by themselves)."
    )

    def handle(self, *args, **options) -> None:
        people_link_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"{Person.objects.count()} people; "
                f"{Statement.objects.exclude(person=None).count()} statements and "
                f"{Participant.objects.exclude(person=None).count()} participants linked."
            )
        )
