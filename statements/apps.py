import contextlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from statements.caching import install_write_watch

        # Every write to the archive retires the cached pages (statements/caching.py).
        connection_created.connect(install_write_watch, dispatch_uid="statements-write-watch")
        # flush empties the tallies' table too; this writes them again.
        post_migrate.connect(restore_tallies, sender=self, dispatch_uid="statements-tallies")


def restore_tallies(sender: AppConfig, using: str = "default", **kwargs) -> None:
    from django.db import DatabaseError

    from statements.models import Tally

    with contextlib.suppress(DatabaseError):  # migrated back before the table: nothing to do
        Tally.objects.using(using).restore_missing()
