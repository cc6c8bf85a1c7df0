"""Editors curate people as they do meetings: add, change and view them, and manage their
roles. Removing a person is a merge (statements.services.person_merge), never a bare
delete, so that no link is lost."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "person": ["add", "change", "view"],
    "personrole": ["add", "change", "view", "delete"],
}
CODENAMES = [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]


def _permissions(apps):
    # As in 0002: on a fresh database permissions only exist after post_migrate.
    app_config = apps.get_app_config("statements")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True  # historical apps have none
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="statements", codename__in=CODENAMES)


def grant_people(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def revoke_people(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("statements", "0025_people")]

    operations = [migrations.RunPython(grant_people, revoke_people)]
