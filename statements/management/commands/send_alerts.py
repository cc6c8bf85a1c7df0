"""Email the subscribers of alerts the new statements that match them (run from cron,
e.g. every 10 minutes: immediate alerts go out on each run, digests once a day)."""

from django.core.management.base import BaseCommand, CommandError

from statements.services import alerts_send


class Command(BaseCommand):
    help = "Email each alert's new matching statements, never the same statement twice."

    def handle(self, *args, **options) -> None:
        report = alerts_send()
        for failure in report.failed:
            self.stderr.write(f"not sent: {failure}")
        if report.failed:  # cron mails the operator a failing command's output
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
