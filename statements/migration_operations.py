"""A migration operation for what the database keeps for us (statements/derived.py)."""

from django.db import router
from django.db.migrations.operations.base import Operation


class InstallDerived(Operation):
    """Drop whatever triggers and trigger functions the app's tables have, install the set
    declared in statements/derived.py, and rebuild every derived value from the content.

    Re-runnable, and reversible: going back installs the declared set again, for the
    migrations before it to drop by name. Inside ``manage.py migrate`` it only drops them:
    the ``post_migrate`` receiver installs and rebuilds once the whole plan has run, so
    that the migrations after this one alter tables that have no triggers (SQLite rebuilds
    a table to alter it, which breaks triggers on it)."""

    reduces_to_sql = False
    reversible = True
    elidable = False

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from statements import derived

        connection = schema_editor.connection
        if not router.allow_migrate(connection.alias, app_label):
            return
        derived.uninstall(connection)
        if not derived.defers_installing(connection):
            derived.install(connection)
            derived.rebuild(connection)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        from statements import derived

        connection = schema_editor.connection
        if not router.allow_migrate(connection.alias, app_label):
            return
        derived.install(connection)
        derived.rebuild(connection)

    def describe(self):
        return "Install the derived data declared in statements/derived.py"

    @property
    def migration_name_fragment(self):
        return "install_derived"
