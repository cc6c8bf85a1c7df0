"""The bodies the statement pages show, rendered when they are written."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from statements import bodies
from statements.models import Statement
from statements.services.recording import chunks


def bodies_render(*, statements: Iterable[int] | None = None, stale_only: bool = False) -> int:
    """Render and keep the bodies their pages show (statements/bodies.py) of these
    statements, by id, or of every one: after a write of their paragraphs or citations,
    a load, a restore, or a release that changes the markup (``stale_only``: the bodies
    whose key is not the one they would get now). Inside a service's transaction, or in
    its own. Returns how many it rendered."""
    if statements is None:
        ids = list(Statement.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(statements))
    rendered = 0
    with transaction.atomic():
        for chunk in chunks(ids, 200):
            rendered += bodies.render_and_keep(chunk, stale_only=stale_only)
    return rendered
