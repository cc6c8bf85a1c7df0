"""History for content that arrived without any (a fixture, a backup of an older site)."""

from __future__ import annotations

from collections.abc import Sequence

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from reversion.models import Version

from mofa_site.caching import content_changed
from statements.models import ChangeNote, Meeting, Resolution, Statement
from statements.services.bodies import bodies_render
from statements.services.people import people_link_all
from statements.services.recording import author, chunks
from statements.services.statements import FIRST_PUBLISHED, paragraphs_anchor


def history_start(*, user: AbstractBaseUser | None = None, comment: str = "") -> int:
    """Give every statement, meeting and resolution that has no version yet a first one
    (a revision each), so editors can compare against, and go back to, the state it
    arrived in; a statement that arrived published, with no change note yet, starts with
    "First published." at its first publication. Returns how many were recorded."""
    comment = comment or _("First version.")
    loaded = {
        Statement: Statement.objects.prefetch_related(
            "paragraphs",
            Prefetch("paragraphs__resolutions", queryset=Resolution.objects.only("pk")),
            Prefetch("meetings", queryset=Meeting.objects.only("pk")),
        ),
        Meeting: Meeting.objects.prefetch_related("participants"),
        Resolution: Resolution.objects.all(),
    }
    recorded = 0
    noted = set(ChangeNote.objects.values_list("statement_id", flat=True).distinct())
    with transaction.atomic():
        for model, queryset in loaded.items():
            versioned = {
                int(pk)
                for pk in Version.objects.get_for_model(model).values_list("object_id", flat=True)
            }
            pks = [pk for pk in queryset.values_list("pk", flat=True) if pk not in versioned]
            for chunk in chunks(pks, 100):
                for obj in queryset.filter(pk__in=chunk):
                    with reversion.create_revision(atomic=False):
                        if author(user) is not None:
                            reversion.set_user(user)
                        reversion.set_comment(comment)
                        reversion.add_to_revision(obj)
                        if model is Statement and obj.published_at and obj.pk not in noted:
                            reversion.add_meta(
                                ChangeNote,
                                statement=obj,
                                major=True,
                                note=FIRST_PUBLISHED,
                                date=obj.published_at,
                            )
                    recorded += 1
        content_changed()
    return recorded


def fixtures_load(*, paths: Sequence[str], user: AbstractBaseUser | None = None) -> int:
    """Load fixtures (``loaddata``) and give what they hold a first version, in one
    transaction. Returns how many versions were recorded."""
    with transaction.atomic():
        call_command("loaddata", *paths, verbosity=0)
        paragraphs_anchor()  # fixtures written before the tree carry no anchors
        people_link_all()  # fixtures written before people carry no links
        bodies_render()  # nor rendered bodies
        content_changed()  # loaddata writes outside the services
        return history_start(user=user, comment=_("Loaded from the fixtures."))
