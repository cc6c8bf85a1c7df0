from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from statements.caching import install_write_watch

        # Every write to the archive retires the cached pages (statements/caching.py).
        connection_created.connect(install_write_watch, dispatch_uid="statements-write-watch")
