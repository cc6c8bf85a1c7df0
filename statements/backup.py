"""Backups an operator can restore on any database: ``backup()`` and ``restore()``.

A backup is Django's own ``dumpdata`` (JSON, gzip-compressed) of everything that is not
made again by ``migrate``, with natural foreign keys so it loads into a database whose
content types and permissions were numbered differently; primary keys are kept, because
the history (django-reversion) refers to statements by them. On PostgreSQL a
``pg_dump --format=custom`` of the whole database is written beside it when ``pg_dump``
is installed: faster to restore, same server major version only.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from mofa_site.caching import content_changed, content_generation
from statements.models import ContentGeneration, Statement
from statements.services import bodies_render, paragraphs_anchor

# What a backup holds, as dumpdata labels.
BACKED_UP = [
    "statements",  # the archive itself
    "reversion",  # every saved version: editors' history and reverts
    "auth.user",  # editors' accounts and password hashes
    "auth.group",  # the Editors group and its permissions
    "authtoken.token",  # API tokens of editors' tools (they keep working after a restore)
    "admin.logentry",  # the admin's record of who changed what
]
# What it leaves out on purpose, and why (tests/statements/test_backup.py checks every model is in
# one list or the other, so a new app cannot be forgotten silently).
NOT_BACKED_UP = {
    "contenttypes": "made again by migrate; the backup names them by natural key",
    "auth.permission": "made again by migrate; the backup names them by natural key",
    "sessions": "sign-ins, not content: editors sign in again after a restore",
    "axes": "failed-login records and lockouts: short-lived security state, not content",
    "statements.publishedcitation": (
        "derived: the database's triggers write it again as the citations are loaded"
    ),
    "statements.tally": "derived: migrate writes it and triggers count as the backup loads",
    "statements.renderedbody": (
        "derived: the statement pages' bodies, rendered again as the backup is restored"
    ),
    "statements.renderedquote": (
        "derived: the resolution pages' quotes, rendered again with the bodies as the backup "
        "is restored"
    ),
    "statements.contentgeneration": (
        "the page cache's counter, not content: the restoring database's own goes on, so "
        "no page cached before the restore is served after it"
    ),
}
# Left-out models of apps that are backed up as a whole: dumpdata's exclusions.
EXCLUDED_MODELS = [label for label in NOT_BACKED_UP if label.startswith("statements.")]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    files: list[Path] = field(default_factory=list)


def backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or settings.BASE_DIR / "var" / "backups")


def backup(*, directory: Path | None = None, now: dt.datetime | None = None) -> BackupResult:
    """Write ``mofa-<UTC time>.json.gz`` (and ``.pgdump`` on PostgreSQL) to directory."""
    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    result = BackupResult()

    final = directory / f"mofa-{stamp}.json.gz"
    # Written under another name and renamed when complete, so a backup interrupted
    # midway never looks like a good one.
    partial = directory / f".partial-mofa-{stamp}.json.gz"
    try:
        call_command(
            "dumpdata",
            *BACKED_UP,
            exclude=EXCLUDED_MODELS,
            format="json-exact",
            natural_foreign=True,
            output=str(partial),
            verbosity=0,
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)
    result.files.append(final)

    if connection.vendor == "postgresql" and shutil.which("pg_dump"):
        result.files.append(_pg_dump(directory / f"mofa-{stamp}.pgdump"))
    return result


def _pg_dump(path: Path) -> Path:
    params = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={path}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command.append(f"{option}={params[key]}")
    command.append(params["NAME"])
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode:
        path.unlink(missing_ok=True)
        raise BackupError(
            f"pg_dump failed (the JSON backup was written): {completed.stderr.strip()}"
        )
    return path


def restore(*, path: Path) -> dict[str, int]:
    """Load a backup written by ``backup()`` into a migrated database that holds no
    statements and no users; returns what the database holds afterwards."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    if not path.name.endswith(".json.gz"):
        raise BackupError(
            f"{path}: not a JSON backup (*.json.gz). Restore a .pgdump with pg_restore."
        )
    user_model = get_user_model()
    try:
        holds = Statement.objects.exists() or user_model.objects.exists()
    except DatabaseError as exc:
        raise BackupError(
            f"The database is not ready ({exc}). Run `manage.py migrate` first."
        ) from exc
    if holds:
        raise BackupError(
            "The database already holds statements or users: restore only into an empty, "
            "freshly migrated database, so nothing in it is overwritten or mixed in."
        )
    generation = content_generation()
    with transaction.atomic():
        # The Editors group made by the migration gives way to the one in the backup
        # (same name, perhaps another id, and the permissions it had then).
        Group.objects.all().delete()
        call_command("loaddata", str(path), verbosity=0)
        paragraphs_anchor()  # a backup written before the tree carries no anchors
        bodies_render()  # nor does any backup hold rendered bodies
        # A backup written before the counter was left out would set it back.
        ContentGeneration.objects.filter(number__lt=generation).update(number=generation)
        # Not a service: pages cached before the restore describe another database.
        content_changed()
    cache.clear()
    return {
        str(model._meta.verbose_name_plural): model._default_manager.count()
        for model in (
            Statement,
            apps.get_model("statements", "Paragraph"),
            user_model,
            apps.get_model("reversion", "Version"),
        )
    }
