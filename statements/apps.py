from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self) -> None:
        from statements import derived

        # What the database keeps for us (statements/derived.py): no triggers while
        # migrations alter tables, installed and rebuilt after; a flush gets its tallies
        # (and everything else derived) back.
        pre_migrate.connect(derived.before_migrate, sender=self, dispatch_uid="statements-derived")
        post_migrate.connect(derived.after_migrate, sender=self, dispatch_uid="statements-derived")
        # Reverting a meeting's or resolution's history must not zero its counts.
        for name in derived.KEPT_BY_MODEL:
            pre_save.connect(
                derived.keep_counts_on_raw_save,
                sender=self.get_model(name),
                dispatch_uid=f"kept-counts-{name}",
            )
