"""The "Editors" group: ministry staff who curate the archive in the admin. They add,
change and view the content; they delete only paragraphs and participants (a statement
is withdrawn, never deleted); they manage no users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "statement": ["add", "change", "view"],
    "paragraph": ["add", "change", "view", "delete"],
    "resolution": ["add", "change", "view"],
    "meeting": ["add", "change", "view"],
    "participant": ["add", "change", "view", "delete"],
}


def create_editors_group(apps, schema_editor):
    # On a fresh database permissions are only created after all migrations ran
    # (post_migrate); create ours now so the group can hold them.
    app_config = apps.get_app_config("statements")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True  # historical apps have none
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="statements", codename__in=codenames
    )
    group, _created = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("statements", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
