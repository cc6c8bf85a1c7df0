"""A statement's body (its paragraphs, numbered and linked) rendered when it is written,
not at each request: the issue 21 way of "each paragraph's HTML produced once, by the
services that write it, and stored with it", for a whole statement at a time.

The services render a statement's body (``includes/statement_body.html``) after they
write its paragraphs or citations and keep it in ``RenderedBody`` with a key: a digest
of the body's stamps (how many paragraphs and citations, their newest change, the
newest citation row), of what renders it (the template, the code that names and links
paragraphs, the libraries' versions) and of the language and address prefix. The page
reads the stamps anyway, for its ETag; it shows the kept body only when its key is the
one those stamps make now, and renders the paragraphs itself otherwise. So a write that
bypassed the services (raw SQL, a database restored by hand) or a release that changes
the markup makes a page slower until ``manage.py render_bodies``, never stale.

The same calls keep each citing paragraph's quote as a resolution's page shows it
(``RenderedQuote``: its place and its linked text), keyed the same way by the quote's own
stamps (``QUOTE_STAMPS``), which that page reads with its ETag's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
from collections.abc import Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.dispatch import receiver
from django.template import loader
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator
from markupsafe import Markup

from statements import derived
from statements.models import (
    ANCESTOR_PATHS,
    Paragraph,
    RenderedBody,
    RenderedQuote,
    Statement,
    StatementKind,
    cited_resolutions_list,
)

TEMPLATE = "includes/statement_body.html"
# A meeting summary's body as its meeting's page quotes it, and the template it includes.
QUOTED_TEMPLATES = ("includes/quoted_body.html", "includes/quoted_paragraph.html")
DESCRIPTION_WORDS = 40  # a page's meta description: its opening words

# The modules whose code decides a body's bytes besides the template: what is kept
# (this one), the paragraphs' names, anchors and citations and the resolutions' columns
# kept (models), their links and screen-reader names (templatetags), the mentions found
# in the text (importing.citations), the environment's filters and translations.
_RENDERING_MODULES = (
    "statements.bodies",
    "statements.models",
    "statements.importing.citations",
    "statements.pages.templatetags",
    "statements.pages.environment",
    "statements.translation",
)


def stamp_columns(statement: str) -> str:
    """The body's stamps, as SQL columns of the statement row aliased ``statement``: its
    paragraphs' count and newest change, its citations' count, their resolutions' newest
    change (a number renumbered changes a link) and the newest citation row (ids are
    never reused: a citation moved to another paragraph keeps every count and time).
    The statement page's ETag reads them (views.STATEMENT_STAMPS_SQL), and so does
    ``kept_of()``: one text, so the two cannot disagree."""
    paragraphs = f"{derived.PARAGRAPH} p"
    cited = f"{paragraphs} JOIN {derived.CITATIONS} c ON c.paragraph_id = p.id"
    mine = f"p.statement_id = {statement}.id"
    return f"""(SELECT COUNT(*) FROM {paragraphs} WHERE {mine}),
    (SELECT MAX(p.updated_at) FROM {paragraphs} WHERE {mine}),
    (SELECT COUNT(*) FROM {cited} WHERE {mine}),
    (SELECT MAX(r.updated_at) FROM {cited}
        JOIN {derived.RESOLUTION} r ON r.id = c.resolution_id WHERE {mine}),
    (SELECT MAX(c.id) FROM {cited} WHERE {mine})"""


STAMPS = 5  # the columns of stamp_columns()


def as_datetime(value: Any) -> Any:
    """A timestamp read by raw SQL, as Django reads it: PostgreSQL gives an aware
    datetime; SQLite the UTC Django wrote, as text from an aggregate or as a naive datetime
    from a plain column (counts pass through)."""
    if isinstance(value, str):
        value = parse_datetime(value) or value
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class Kept(NamedTuple):
    """A statement's body stamps (``stamp_columns()``), read as the page reads them, and
    what is kept of its body: the key (None when nothing is) and the quoted HTML."""

    stamps: tuple[Any, ...]
    key: str | None
    quoted_html: str


def kept_of(ids: Sequence[int]) -> dict[int, Kept]:
    """Each statement's ``Kept``, by id, from one read."""
    if not ids:
        return {}
    places = ", ".join(["%s"] * len(ids))
    sql = f"""SELECT s.id, b.key, b.quoted_html, {stamp_columns("s")}
        FROM {derived.STATEMENT} s LEFT JOIN {RenderedBody._meta.db_table} b
        ON b.statement_id = s.id WHERE s.id IN ({places})"""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        return {
            pk: Kept(tuple(as_datetime(v) for v in stamps), key, html or "")
            for pk, key, html, *stamps in cursor.fetchall()
        }


def rendering() -> str:
    """What decides a body's bytes besides its content: the template, the code above,
    the versions of the libraries that render and escape it, and the project's
    translations. Read once a process (a release restarts the processes), or at every
    call in development, where templates reload when they change (``auto_reload``)."""
    return _digest() if _environment().auto_reload else _kept_digest()


@functools.cache
def _environment() -> Any:
    """The Jinja2 environment that renders the body: one a process, looked up once, not
    at every page that checks a key."""
    return loader.get_template(TEMPLATE).template.environment


@receiver(setting_changed)
def _engines_changed(*, setting: str, **kwargs: Any) -> None:
    # Django makes its template engines, and so the environment, anew when these change
    # (django.test.signals.reset_template_engines).
    if setting in {"TEMPLATES", "DEBUG", "INSTALLED_APPS"}:
        _environment.cache_clear()


def _digest() -> str:
    digest = hashlib.sha256()
    templates = [
        Path(loader.get_template(name).origin.name) for name in (TEMPLATE, *QUOTED_TEMPLATES)
    ]
    # Found, not imported: the domain reads the pages' code only to know when it changed.
    sources = [*templates, *(Path(find_spec(name).origin) for name in _RENDERING_MODULES)]
    for locale in getattr(settings, "LOCALE_PATHS", ()):
        sources += sorted(Path(locale).glob("**/*.mo"))
    for path in sources:
        digest.update(path.read_bytes())
    for library in ("django", "jinja2", "markupsafe"):
        digest.update(f"{library} {importlib.metadata.version(library)}".encode())
    return digest.hexdigest()


_kept_digest = functools.cache(_digest)


def body_key(stamps: Sequence[Any], slug: str, kind: str) -> str:
    """The key of a body rendered from these stamps, for a statement at this address (a
    quoted body links its paragraphs there) and of this kind (a summary's body is kept
    quoted too), now: in this language, under this address prefix (its links are paths),
    by this code. The stamps' ``repr()``: the same values, read the same way, give the
    same text in every process (an aware time names its zone)."""
    stamped = (*stamps, slug, kind)
    return hashlib.sha256(f"{_renders_now()}{stamped!r}".encode()).hexdigest()


def quote_keys(stamps: Iterable[str]) -> list[str]:
    """The key of each quote rendered from these stamps (``QUOTE_STAMPS``' text), now:
    what renders it, digested once, then the stamps as they are. A resolution page checks
    fifty keys; a digest each was 4% of its instructions."""
    now = hashlib.sha256(_renders_now().encode()).hexdigest()
    return [f"{now}{_QUOTE_SEPARATOR}{text}" for text in stamps]


def _renders_now() -> str:
    return repr((rendering(), translation.get_language(), get_script_prefix()))


def description(text: str) -> str:
    """A page's meta description: the opening words of ``text``."""
    return Truncator(text).words(DESCRIPTION_WORDS, truncate=" …")


def rendered(statement: Statement) -> RenderedBody:
    """The statement's body as its page would render it now, with the resolutions it
    cites, and quoted as its meeting's page would if it is a summary (not saved, no
    key)."""
    paragraphs = statement.body()
    html = loader.get_template(TEMPLATE).render({"paragraphs": paragraphs})
    quoted = ""
    if statement.kind == StatementKind.MEETING_SUMMARY:
        quoted = loader.get_template(QUOTED_TEMPLATES[0]).render({"paragraphs": paragraphs})
    opening = description(paragraphs[0].text) if paragraphs else ""
    resolutions = RenderedBody.resolution_rows(statement.cited_resolutions)
    return RenderedBody(
        statement=statement, html=html, quoted_html=quoted, opening=opening, resolutions=resolutions
    )


def kept(statement: Statement, stamps: Sequence[Any] | None) -> RenderedBody | None:
    """The statement's kept body (read with it: ``select_related("rendered_body")``)
    when it is the one its current ``stamps`` would render; else None, and the page
    renders the paragraphs itself."""
    if stamps is None:
        return None
    body = getattr(statement, "rendered_body", None)
    if body is None or body.key != body_key(stamps, statement.slug, statement.kind):
        return None
    return body


def kept_quoted(summaries: Sequence[Statement]) -> dict[int, Markup]:
    """The kept quoted bodies of these meeting summaries whose keys hold now, by
    statement id; a meeting's page reads and renders the paragraphs of the others."""
    found = kept_of([summary.pk for summary in summaries])
    quoted = {}
    for summary in summaries:
        kept = found.get(summary.pk)
        if kept and kept.key == body_key(kept.stamps, summary.slug, summary.kind):
            quoted[summary.pk] = Markup(kept.quoted_html)
    return quoted


def render_and_keep(ids: Sequence[int], *, stale_only: bool = False) -> int:
    """Render the bodies of these statements and keep them with their keys, in the
    site's language and under the address prefix of this process (``stale_only``: those
    whose kept key is not the one they would get now). Returns how many it rendered.
    Called by the services inside their transaction, after their writes."""
    found = kept_of(ids)
    statements = Statement.objects.filter(pk__in=found).only("pk", "slug", "kind")
    with translation.override(settings.LANGUAGE_CODE):
        keys = {
            statement: body_key(found[statement.pk].stamps, statement.slug, statement.kind)
            for statement in statements.order_by("pk")
        }
        if stale_only:
            keys = {s: key for s, key in keys.items() if found[s.pk].key != key}
        bodies = []
        for statement, key in keys.items():
            body = rendered(statement)
            body.key = key
            bodies.append(body)
    RenderedBody.objects.bulk_create(
        bodies,
        update_conflicts=True,
        unique_fields=["statement"],
        update_fields=["key", "html", "quoted_html", "opening", "resolutions"],
    )
    keep_quotes(ids, stale_only=stale_only)
    return len(bodies)


# --- Quotes: a citing paragraph as its resolutions' pages show it ------------------------

# A quote's stamps, one text (``QUOTE_STAMPS``) that ``quote_stamped()`` writes in SQL:
# the paragraph's change; each block above it, which one (a block detached by a cascade
# keeps its time) and its change (its label and a heading's text name the place); its
# citations' count and newest row (ids are never reused); their resolutions' newest change
# (a renumbered one changes a link). Text made by the database, so that the page that
# checks fifty keys converts no times: each value as the database writes it, "" for none,
# between bars (no value holds one).
QUOTE_STAMPS = "quote_stamps"
_QUOTE_SEPARATOR = "|"


def quote_stamped(paragraphs: QuerySet[Paragraph]) -> QuerySet[Paragraph]:
    """``paragraphs`` with their quote stamps annotated as ``QUOTE_STAMPS``. The
    resolution page's ETag read and the writer below share it, so the two cannot
    disagree."""
    links = (
        Paragraph.resolutions.through.objects.filter(paragraph_id=OuterRef("pk"))
        .order_by()
        .values("paragraph_id")
    )
    values = [
        F("updated_at"),
        *(F(name) for path in ANCESTOR_PATHS for name in (path, f"{path}__updated_at")),
        Subquery(links.annotate(n=Count("id")).values("n")),
        Subquery(links.annotate(n=Max("id")).values("n")),
        Subquery(links.annotate(n=Max("resolution__updated_at")).values("n")),
    ]
    text = [
        Coalesce(Cast(value, TextField()), Value(""), output_field=TextField()) for value in values
    ]
    separated = [part for value in text for part in (value, Value(_QUOTE_SEPARATOR))][:-1]
    # SQL's own operator, on both engines: Concat() nests a pair a level, past SQLite's
    # parser stack for twenty-three parts (none is null here).
    joined = Func(
        *separated, template="(%(expressions)s)", arg_joiner=" || ", output_field=TextField()
    )
    return paragraphs.annotate(**{QUOTE_STAMPS: joined})


def quotes_rendered(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """What a resolution page shows of each of these paragraphs, by id: its place (""
    for an un-labelled top-level block) and its text linked to the resolutions it cites,
    by the page's own filter, as the statement body's template links it. The services
    keep them (``keep_quotes``); a page renders the quotes whose kept key does not hold."""
    link = _environment().filters["linked_text"]
    paragraphs = (
        Paragraph.objects.filter(pk__in=list(ids))
        .with_place(dated=False)
        .prefetch_related(cited_resolutions_list())
    )
    return {paragraph.pk: (paragraph.place_name, link(paragraph)) for paragraph in paragraphs}


def keep_quotes(ids: Sequence[int], *, stale_only: bool = False) -> int:
    """Render and keep the quotes of these statements' citing paragraphs, in the site's
    language and under this process's address prefix (``stale_only``: those whose kept
    key is not the one they would get now), and forget the quotes of paragraphs that no
    longer cite anything. Returns how many it rendered."""
    links = Paragraph.resolutions.through.objects.filter(paragraph_id=OuterRef("pk"))
    citing = quote_stamped(Paragraph.objects.filter(statement_id__in=ids).filter(Exists(links)))
    rows = citing.order_by("pk").values_list("pk", "rendered_quote__key", QUOTE_STAMPS)
    with translation.override(settings.LANGUAGE_CODE):
        rows = list(rows)
        keys = quote_keys(stamps for _pk, _kept, stamps in rows)
        wanted = {
            pk: key
            for (pk, kept, _stamps), key in zip(rows, keys, strict=True)
            if key != kept or not stale_only
        }
        quotes = [
            RenderedQuote(paragraph_id=pk, key=wanted[pk], place=place, html=html)
            for pk, (place, html) in quotes_rendered(wanted).items()
        ]
    RenderedQuote.objects.filter(paragraph__statement_id__in=ids).exclude(
        paragraph_id__in=[pk for pk, *_ in rows]
    ).delete()
    RenderedQuote.objects.bulk_create(
        quotes,
        update_conflicts=True,
        unique_fields=["paragraph"],
        update_fields=["key", "place", "html"],
    )
    return len(quotes)
