"""The archive's content model: statements, their paragraphs, the UN Security Council
resolutions they cite, and the meetings they report."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import secrets
import unicodedata
import zoneinfo
from collections.abc import Callable, Collection, Container, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

import reversion
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Left
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision

from mofa_site.caching import checked_first_read, per_generation
from statements import translation
from statements.importing import resolution_mentions
from statements.importing.mentions import mentioning

JAPAN_TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
MAX_RESOLUTION_NUMBER = 9999


def today_in_japan() -> dt.date:
    """The ministry's today: Japan's date runs ahead of UTC's for nine hours a day."""
    return timezone.now().astimezone(JAPAN_TZ).date()


def future_date_error(value: dt.date | None) -> ValidationError | None:
    if value is not None and value > today_in_japan():
        return ValidationError(
            _("%(date)s is in the future; use the date the document gives."),
            params={"date": value.isoformat()},
            code="future_date",
        )
    return None


def dated_slug(date: dt.date, title: str, *, max_length: int = 100) -> str:
    """A readable, dated slug: ``2017-12-23-statement-on-the-adoption-of-...``, cut at a
    word boundary so it never ends mid-word."""
    slug = f"{date.isoformat()}-{slugify(title)}".strip("-")
    if len(slug) <= max_length:
        return slug
    return slug[: max_length + 1].rsplit("-", 1)[0]


def page_url(name: str, **kwargs: str | int) -> str:
    """``reverse()`` of a public page, remembered: a page links to every statement,
    paragraph and resolution it shows, and reversing each link again was a quarter of the
    time a resolution page took to render. The key holds everything reversing depends on
    (the URL configuration and the script prefix), so a remembered path is always right."""
    return page_url_reverser()(name, **kwargs)


def page_url_reverser() -> Callable[..., str]:
    """``page_url`` for the many links of one response: the script prefix and the URL
    configuration read once, not at every link. Within a request, once for the whole
    request (``_request_reverser``); outside one, now."""
    reverser = _request_reverser.get()
    if reverser is None:  # outside a request
        return _reverser_now()
    if isinstance(reverser, _Unread):
        reverser = _reverser_now()
        _request_reverser.set(reverser)
    return reverser


def _reverser_now() -> Callable[..., str]:
    return functools.partial(_reversed, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


# The reverser of the request this thread (or task) is answering, read at its first link:
# the handler set the request's script prefix before it started, and its URL
# configuration is ROOT_URLCONF (the site gives no request one of its own). Reading both
# at each link, two asgiref locals, made a link 5.5 µs where a remembered one costs 0.3,
# and a resolution page has 164 links. A context variable, not a Local: reading a Local
# costs what is saved here. None outside a request, so a command never keeps one.
class _Unread:
    """A request whose first link is still to come."""


_UNREAD = _Unread()
_request_reverser: ContextVar[Callable[..., str] | _Unread | None] = ContextVar(
    "request_reverser", default=None
)


@receiver(request_started)
def _request_reverser_unread(**kwargs: Any) -> None:
    _request_reverser.set(_UNREAD)


@receiver(request_finished)
def _request_reverser_forgotten(**kwargs: Any) -> None:
    _request_reverser.set(None)


@functools.lru_cache(maxsize=8192)
def _reversed(prefix: str, urlconf: str, name: str, **kwargs: str | int) -> str:
    return reverse(name, urlconf=urlconf, kwargs=kwargs)


# Every IANA name zoneinfo can load (the tzdata package where the OS has none), sorted:
# the choices of the admin's select and of the API, and all that validate_timezone accepts.
TIMEZONE_NAMES = tuple(sorted(zoneinfo.available_timezones()))
TIMEZONE_CHOICES = [(name, name) for name in TIMEZONE_NAMES]
_TIMEZONES = frozenset(TIMEZONE_NAMES)


def validate_timezone(value: str) -> None:
    if not value:
        return  # unknown: the page gave a local time without saying where
    if value not in _TIMEZONES:
        raise ValidationError(
            _("%(value)s is not an IANA time zone name such as America/New_York."),
            params={"value": value},
            code="invalid_choice",
        )


def search_key(value: str) -> str:
    """Casefolded, accents stripped: "António" and "ANTONIO" share the key "antonio"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class NumberList(models.Aggregate):
    """The distinct values of an integer column as one comma-separated string (in no
    particular order): GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL. Lets a list of
    statements carry their cited resolution numbers without loading every paragraph."""

    function = "GROUP_CONCAT"
    allow_distinct = True
    output_field = models.CharField()

    def __init__(self, expression: str, **extra: Any) -> None:
        super().__init__(expression, distinct=True, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(distinct)s(%(expressions)s)::text, ',')",
            **extra,
        )


def year_of(field: str) -> Left:
    """The year of a date column as its first four characters: ExtractYear is a Python
    function per row on SQLite (28 of a 140 ms list at 10,000 statements), while this
    reads the column from the index alone."""
    return Left(Cast(field, models.CharField()), 4)


def month_of(field: str) -> Left:
    """The month of a date column as its first seven characters ("2017-12"), read from
    the index as ``year_of`` reads the year: TruncMonth is a Python function per row on
    SQLite (45 of a 53 ms resolution page whose 3,487 citing paragraphs it counted)."""
    return Left(Cast(field, models.CharField()), 7)


class UnorderedManager(models.Manager):
    """The base manager (``Meta.base_manager_name``) of a model whose default ordering
    goes through its parent: what Django and django-reversion look up by id (a save, a
    refresh, reversion's check that each version's objects still exist, a query per
    model and revision) needs no order, and that one joins the parent's table to sort.
    An import of 1,000 pages made 1,253 such checks of paragraphs and participants."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().order_by()


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django saves an instance read without some columns (a page's read, ``defer()``
        # or ``only()``) by the columns it holds, and auto_now stamps only those: the
        # change would keep its old time.
        if kwargs.get("update_fields") is None and "updated_at" in self.get_deferred_fields():
            self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field: models.Field) -> Any:
        # What every get_<field>_display() calls. Django's builds the field's choices anew
        # on every call, hashing each lazy label (a translation each): 50 µs a call, a
        # millisecond of a list of 20. Same answer, from the labels kept per field and
        # language (statements.translation).
        # choice_display()'s body, not a call of it: a list prints one per row.
        return force_str(
            translation.choice_label(field, getattr(self, field.attname)), strings_only=True
        )


def choice_display(field: models.Field, value: Any) -> Any:
    """What ``get_<field>_display()`` gives for ``value``, without an instance: a page
    that reads a row's columns (``values_list()``) shows its choices' labels too."""
    return force_str(translation.choice_label(field, value), strings_only=True)


# --- Resolutions -------------------------------------------------------------------------


class ResolutionQuerySet(models.QuerySet):
    def get_by_natural_key(self, number: int) -> Resolution:
        return self.get(number=number)

    def cited(self) -> ResolutionQuerySet:
        """Resolutions cited by at least one paragraph of a published statement."""
        return self.filter(citation_count__gt=0)

    def most_cited(self) -> ResolutionQuerySet:
        """Cited resolutions, the most cited first (the newest of equals first)."""
        return self.cited().order_by("-citation_count", "-number")

    def tally(self) -> tuple[int, int]:
        """How many of these resolutions there are, and the most paragraphs citing any one:
        a list's length and the scale of its bars, in one query."""
        found = self.aggregate(count=Count("pk"), peak=Max("citation_count"))
        return found["count"], found["peak"] or 0


@reversion.register()
class Resolution(TimeStampedModel):
    number = models.PositiveIntegerField(
        _("number"),
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESOLUTION_NUMBER)],
    )
    symbol = models.CharField(
        _("symbol"),
        max_length=40,
        editable=False,
        help_text=_("Computed from the number and the year of adoption, e.g. S/RES/2397 (2017)."),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    title = models.CharField(_("title or subject"), max_length=300, blank=True)
    vote = models.CharField(
        _("vote"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{1,2}-\d{1,2}-\d{1,2}$",
                _("Write the vote as in favour-against-abstentions, e.g. 15-0-0."),
            )
        ],
    )
    document_url = models.URLField(_("UN document URL"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # Kept by database triggers (migration 0008), whatever writes the citations or the
    # statements' status, so no page counts the archive. Derived, so never serialized:
    # loading a backup or a fixture counts again as its citations arrive.
    citation_count = models.PositiveIntegerField(
        _("citation count"),
        default=0,
        editable=False,
        serialize=False,
        help_text=_("Paragraphs of published statements that cite it."),
    )

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_RESOLUTION_NUMBER),
                name="resolution_number_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.symbol_of(self.symbol, self.number)

    def save(self, *args, **kwargs) -> None:
        self.symbol = self.compute_symbol()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.url_of(self.number)

    @staticmethod
    def symbol_of(symbol: str, number: int) -> str:
        """How a resolution of these columns is named, for a page that reads its columns
        (its symbol, once saved)."""
        return symbol or f"S/RES/{number}"

    @staticmethod
    def url_of(number: int) -> str:
        """The page of the resolution of this number, for a page that reads its columns."""
        return page_url("statements:resolution-detail", number=number)

    def clean(self) -> None:
        if error := future_date_error(self.adopted_on):
            raise ValidationError({"adopted_on": error})

    def natural_key(self) -> tuple[int]:
        return (self.number,)

    def compute_symbol(self) -> str:
        if self.adopted_on:
            return f"S/RES/{self.number} ({self.adopted_on.year})"
        return f"S/RES/{self.number}"

    @property
    def is_unanimous(self) -> bool:
        return vote_is_unanimous(self.vote)


def vote_is_unanimous(vote: str) -> bool:
    """Whether a vote written "15-0-0" had no one against and no one abstaining."""
    parts = vote.split("-")
    return len(parts) == 3 and parts[1] == "0" and parts[2] == "0"


def cited_resolutions_list() -> Prefetch:
    """Prefetch the resolutions each paragraph cites, by number, as the plain list that
    ``Paragraph.citations`` reads (a many-to-many manager built at every access cost a
    statement page more than its queries)."""
    return Prefetch(
        "resolutions", queryset=Resolution.objects.order_by("number"), to_attr="cited_list"
    )


def _shown_columns(model: type[models.Model]) -> list[str]:
    """What a page shows of a record: all its columns but ``UNSHOWN``."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in UNSHOWN]


@functools.cache
def _cited_columns() -> tuple[str, ...]:
    """What a page shows of a cited resolution: all but when it was written (two
    timestamps parsed per citation, on no page that links it)."""
    return tuple(_shown_columns(Resolution))


def citations_attach(paragraphs: Sequence[Paragraph]) -> None:
    """Give each paragraph the resolutions it cites, by number, as ``citations`` reads
    them, from one query of the link table, with one instance per resolution however
    many paragraphs cite it. The many-to-many prefetch built the same lists at 2.5 times
    the cost (1.3 ms of a 30-paragraph statement's page); an instance per link and per
    its resolution (``select_related``) cost a resolution's page, 50 paragraphs citing
    it, 1.35 ms against 0.6."""
    rows = rows_by_key(_paragraph_citations, _cited_columns(), [p.pk for p in paragraphs])
    found: dict[int, Resolution] = {}
    pairs = []
    for paragraph_id, *columns in rows:
        resolution = found.get(columns[0])
        if resolution is None:
            resolution = Resolution.from_db(DEFAULT_DB_ALIAS, _cited_columns(), columns)
            found[resolution.pk] = resolution
        pairs.append((paragraph_id, resolution))
    cited = _grouped(pairs)
    for paragraph in paragraphs:
        paragraph.cited_list = cited.get(paragraph.pk, [])


def cited_resolutions_attach(statements: Sequence[Statement]) -> None:
    """Give each statement the resolutions it cites, by number, as ``cited_resolutions``
    reads them, from the numbers ``with_cited_numbers()`` annotated and one query for all
    (their symbols): a feed named its entries' resolutions from every paragraph and its
    citations, ~1,100 models for 30 entries."""
    numbers = {statement.pk: statement.cited_numbers for statement in statements}
    wanted = {number for cited in numbers.values() for number in cited}
    found = Resolution.objects.only("number", "symbol").in_bulk(wanted, field_name="number")
    for statement in statements:  # (a resolution deleted since the numbers were read: left out)
        cited = [found[number] for number in numbers[statement.pk] if number in found]
        statement.cited_resolutions = cited


def paragraphs_in_reading_order() -> Prefetch:
    """Prefetch a statement's paragraphs in order, each with the resolutions it cites."""
    return Prefetch(
        "paragraphs",
        queryset=Paragraph.objects.order_by("position").prefetch_related(cited_resolutions_list()),
    )


# --- People ------------------------------------------------------------------------------


class PersonQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Person:
        return self.get(slug=slug)

    def with_counts(self) -> PersonQuerySet:
        """Annotate ``statement_total`` (published statements they spoke) and
        ``meeting_total`` (public meetings they took part in): for the people list."""
        spoke = (
            Statement.objects.published()
            .filter(person=OuterRef("pk"))
            .order_by()
            .values("person")
            .annotate(n=Count("pk"))
            .values("n")
        )
        met = (
            Participant.objects.filter(person=OuterRef("pk"), meeting__statement_count__gt=0)
            .order_by()
            .values("person")
            .annotate(n=Count("meeting", distinct=True))
            .values("n")
        )
        return self.annotate(
            statement_total=Coalesce(Subquery(spoke), 0),
            meeting_total=Coalesce(Subquery(met), 0),
        )

    def public(self) -> PersonQuerySet:
        """People who spoke a published statement or took part in a public meeting."""
        return self.filter(
            Exists(Statement.objects.published().filter(person=OuterRef("pk")))
            | Exists(
                Participant.objects.filter(person=OuterRef("pk"), meeting__statement_count__gt=0)
            )
        )


@reversion.register(follow=["roles"])
class Person(TimeStampedModel):
    """Someone who speaks in a statement or takes part in a meeting, whatever the
    spelling a page printed (statements.importing.people matches them)."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("As the person writes it: “António Guterres”.")
    )
    sort_name = models.CharField(
        _("sort name"), max_length=200, help_text=_("Family name first: “Guterres António”.")
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    spellings = models.JSONField(
        _("other spellings"),
        default=list,
        blank=True,
        help_text=_("Other ways pages print the name: “KONO Taro”, “Antonio Guterres”."),
    )
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("An editor has checked this person; the importer creates unconfirmed ones."),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("statements:person-detail", slug=self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def spoken(self) -> QuerySet[Statement]:
        """The published statements they spoke, newest first."""
        return Statement.objects.published().filter(person=self).order_by("-date", "-id")

    def participations_shown(self) -> QuerySet[Participant]:
        """Their place in each public meeting, with the role held that day, newest first."""
        return (
            self.participations.filter(meeting__statement_count__gt=0)
            .select_related("meeting")
            .order_by("-meeting__date", "-meeting__start_time", "-meeting_id")
        )

    @property
    def all_spellings(self) -> list[str]:
        """Its name and every other spelling, each once."""
        return list(dict.fromkeys([self.name, *self.spellings]))


@reversion.register()
class PersonRole(models.Model):
    """A title someone held, and for whom, from when to when (``end_date`` empty while
    they hold it). The role held on one day stays on that day's ``Participant``."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    title = models.CharField(_("title"), max_length=300)
    organisation = models.CharField(_("organisation or country"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-start_date", "id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="person_role_ends_after_start",
                violation_error_message=_("A role cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.organisation}" if self.organisation else self.title


# --- Meetings ----------------------------------------------------------------------------


class MeetingQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Meeting:
        return self.get(slug=slug)

    def published(self) -> MeetingQuerySet:
        """Meetings reported or mentioned by a published statement."""
        return self.filter(statement_count__gt=0)

    def with_related(self) -> MeetingQuerySet:
        """Load the participants and the statements reporting each meeting (see
        ``Meeting.published_statements``), without their text: for lists and the API."""
        return self.prefetch_related(participants_with_people(), reporting_statements())

    def for_lists(self) -> QuerySet:
        """Only what a list of meetings shows of each (includes/meeting_item.html), as
        rows of ``LISTED_MEETING_COLUMNS``: its id, address, title, date, place, kind and
        occasion. Twenty models built for a page were a tenth of the list's instructions
        (callgrind, docs/performance.md)."""
        return self.values_list(*LISTED_MEETING_COLUMNS)


LISTED_MEETING_COLUMNS = ("pk", "slug", "title", "date", "location", "kind", "occasion")


def principal_names(ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the ``principals`` of the meetings of these ids, in order, by id: one
    query of names for a list of meetings, where the prefetch built a participant for
    each (80 for twenty meetings) only to print its name."""
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for meeting_id, name in compiled_rows(_principal_names, (), list(names)):
        names[meeting_id].append(name)
    return names


def _principal_names(ids: list[int]) -> QuerySet:
    return (
        Participant.objects.filter(meeting_id__in=ids, in_attendance=False)
        .order_by("meeting_id", "position", "id")  # Participant.Meta.ordering, per meeting
        .values_list("meeting_id", "name")
    )


def participants_with_people() -> Prefetch:
    """A meeting's participants with the person each one is (no query per row).

    In ``Participant.Meta.ordering`` within each meeting, by the meeting's id: ordering by
    the meeting itself joined the meetings to sort by their dates, which a prefetch, which
    files each participant under its meeting, never needs (0.1 ms of a page's read)."""
    participants = Participant.objects.select_related("person").order_by(
        "meeting_id", "position", "id"
    )
    return Prefetch("participants", queryset=participants)


def reporting_statements(statements: QuerySet | None = None) -> Prefetch:
    """The statements reporting or mentioning a meeting, newest first, whatever their
    status (``Meeting.published_statements`` keeps the published ones). Filtering on the
    status here let SQLite read every published statement in date order for each meeting
    instead of the meeting's few links: 30 ms a meeting at 100,000 statements."""
    statements = (
        statements
        if statements is not None
        else Statement.objects.only("slug", "title", "kind", "date", "status")
    )
    return Prefetch("statements", queryset=statements.order_by("-date", "-id"), to_attr="reporting")


class MeetingKind(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral meeting")
    TELEPHONE = "telephone", _("Telephone talks")
    MULTILATERAL = "multilateral", _("Multilateral meeting")
    SECURITY_COUNCIL = "security_council", _("Security Council meeting")
    SUMMIT = "summit", _("Summit")
    OTHER = "other", _("Other")


@reversion.register(follow=["participants"])
class Meeting(TimeStampedModel):
    Kind = MeetingKind

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.BILATERAL)
    date = models.DateField(_("date (local)"))
    start_time = models.TimeField(_("start time (local)"), null=True, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_(
            "IANA name of the place, e.g. America/New_York; Japan time is computed. "
            "Empty when the source does not say where the meeting took place."
        ),
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    occasion = models.CharField(_("occasion"), max_length=300, blank=True)
    # Kept by database triggers (migration 0010), like Resolution.citation_count, so that
    # "is it public?" is a column read, not a search through the statements.
    statement_count = models.PositiveIntegerField(
        _("statement count"),
        default=0,
        editable=False,
        serialize=False,
        help_text=_("Published statements that report or mention it."),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="meeting_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values),
                name="meeting_kind_valid",
            ),
        ]
        # In the list's whole order, so that a page of it is read in order and never
        # sorted, whatever the planner knows or guesses about the table.
        indexes = [models.Index(fields=["-date", "-start_time", "-id"], name="meeting_order_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date.isoformat()})"

    def get_absolute_url(self) -> str:
        return self.url_of(self.slug)

    @staticmethod
    def url_of(slug: str) -> str:
        """The page of the meeting of this slug, for a page that reads its columns."""
        return page_url("statements:meeting-detail", slug=slug)

    def clean(self) -> None:
        errors = {}
        if error := future_date_error(self.date):
            errors["date"] = error
        # The database refuses 0 too, but only this says why.
        if self.duration_minutes is not None and self.duration_minutes <= 0:
            errors["duration_minutes"] = ValidationError(
                _("A meeting lasts at least one minute; leave the duration empty if unknown."),
                code="duration_not_positive",
            )
        if errors:
            raise ValidationError(errors)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def published_statements(self) -> list[Statement]:
        """The published statements reporting it, newest first (prefetched by
        ``with_related()`` or ``load_reports()``, else queried)."""
        reporting = self.__dict__.get("reporting")
        if reporting is None:
            return list(self.statements.published().order_by("-date", "-id"))
        return [statement for statement in reporting if statement.is_published]

    @property
    def summaries(self) -> list[Statement]:
        """The published meeting summaries linked to it: what reports the meeting, shown
        in full on its page."""
        return [s for s in self.published_statements if s.kind == StatementKind.MEETING_SUMMARY]

    def load_reports(self) -> None:
        """Load, for its page, by key (``compiled_rows()``): its participants with their
        people and the statements reporting it (``reporting_statements()``' order,
        without their sources); ``load_paragraphs()`` then reads what the page quotes of
        them. Prefetches were built and compiled at each request."""
        prefetched([self], "participants", compiled_rows(_meeting_participants, (), [self.pk]))
        self.reporting = compiled_rows(_reporting_statements, (), [self.pk])

    def load_paragraphs(self, *, quoted: Container[int] = ()) -> None:
        """Load the paragraphs of the published statements ``load_reports()`` loaded
        (the page shows nothing of the others), with the resolutions they cite, but those
        of ``quoted`` (ids: the summaries its page shows as the services rendered them,
        ``bodies.kept_quoted()``). One query for the citations (``citations_attach``),
        where Django's many-to-many prefetch cost twice as much."""
        reading = [s for s in self.published_statements if s.pk not in quoted]
        paragraphs = compiled_rows(_statement_bodies, (), [s.pk for s in reading])
        prefetched(reading, "paragraphs", paragraphs)
        citations_attach([p for statement in reading for p in statement.body()])

    @cached_property
    def mentions(self) -> list[MeetingMention]:
        """The other published statements linked to it, newest first, each with the
        paragraphs that name the meeting (by its date, its title's words or two of its
        participants: ``importing.mentions``). Reads what ``load_paragraphs()`` loaded."""
        names = [participant.name for participant in self.participants.all()]
        found = []
        for statement in self.published_statements:
            if statement.kind == StatementKind.MEETING_SUMMARY:
                continue
            paragraphs = statement.body()  # each holding its parent, to be named by its place
            indexes = mentioning(
                [p.text for p in paragraphs], date=self.date, title=self.title, names=names
            )
            found.append(MeetingMention(statement, [paragraphs[i] for i in indexes]))
        return found

    @property
    def principals(self) -> list[Participant]:
        """The participants who met, in protocol order, without the officials in
        attendance (prefetched by ``with_related()`` or loaded by ``load_reports()``)."""
        return [p for p in self.participants.all() if not p.in_attendance]

    @property
    def attendance_by_organisation(self) -> list[tuple[str, list[Participant]]]:
        """The officials in attendance, by country or organisation in the order first
        named: what a page lists under "In attendance"."""
        groups: dict[str, list[Participant]] = {}
        for participant in self.participants.all():
            if participant.in_attendance:
                groups.setdefault(participant.organisation, []).append(participant)
        return list(groups.items())

    @property
    def starts_at(self) -> dt.datetime | None:
        """The start as an aware datetime in the place's own time zone."""
        return meeting_start(self.date, self.start_time, self.timezone)

    @property
    def starts_at_japan(self) -> dt.datetime | None:
        """The same instant in Japan time, computed, never typed."""
        starts_at = self.starts_at
        return starts_at.astimezone(JAPAN_TZ) if starts_at else None


def meeting_start(date: dt.date, start_time: dt.time | None, timezone: str) -> dt.datetime | None:
    """A meeting's start as an aware datetime in the place's own time zone, when known."""
    if start_time is None or not timezone:
        return None
    return dt.datetime.combine(date, start_time, tzinfo=zoneinfo.ZoneInfo(timezone))


@dataclass(frozen=True)
class MeetingMention:
    """A statement that mentions a meeting without reporting it, and the paragraphs that
    name the meeting (none when no single paragraph does)."""

    statement: Statement
    paragraphs: list[Paragraph]


class ParticipantQuerySet(models.QuerySet):
    def get_by_natural_key(self, meeting_slug: str, name: str) -> Participant:
        return self.get(meeting__slug=meeting_slug, name=name)

    def bulk_create(self, objs, *args, **kwargs) -> list[Participant]:
        """Django's bulk_create, keeping the derived ``name_search`` that save() computes
        (bulk_create bypasses save(); the importer uses it)."""
        objs = list(objs)
        for participant in objs:
            participant.name_search = search_key(participant.name)
        return super().bulk_create(objs, *args, **kwargs)


@reversion.register()
class Participant(TimeStampedModel):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting")
    )
    position = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("title or role"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation or country"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("person"),
    )
    in_attendance = models.BooleanField(
        _("in attendance"),
        default=False,
        help_text=_("An official accompanying a principal, not a principal of the meeting."),
    )
    # Derived from ``name`` so lookups ignore case and accents on SQLite and PostgreSQL alike.
    name_search = models.CharField(
        _("name, casefolded without accents"),
        max_length=200,
        editable=False,
        default="",
        db_index=True,
    )

    objects = ParticipantQuerySet.as_manager()
    unordered = UnorderedManager()

    class Meta:
        base_manager_name = "unordered"
        ordering = ["meeting", "position", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "name"], name="participant_unique_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name

    def save(self, *args, **kwargs) -> None:
        self.name_search = search_key(self.name)
        super().save(*args, **kwargs)

    def natural_key(self) -> tuple[str, str]:
        return (*self.meeting.natural_key(), self.name)

    natural_key.dependencies = ["statements.meeting"]


# --- Statements and paragraphs -----------------------------------------------------------


class StatementKind(models.TextChoices):
    STATEMENT = "statement", _("Statement")
    MEETING_SUMMARY = "meeting_summary", _("Meeting summary")
    PRESS_RELEASE = "press_release", _("Press release")
    OTHER = "other", _("Other")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What a statement's page shows of the statements listed beside it.
NEIGHBOUR_COLUMNS = ("slug", "title", "date")
# What a list shows of a statement (``StatementQuerySet.for_lists``).
LISTED_STATEMENT_COLUMNS = ("slug", "title", "date", "kind", "speaker")


class Neighbour(NamedTuple):
    """A published statement listed beside another, as that one's page links to it
    (``NEIGHBOUR_COLUMNS``): a model built from keywords for each of the two was 4% of
    a statement's page (callgrind, docs/performance.md)."""

    slug: str
    title: str
    date: dt.date

    def get_absolute_url(self) -> str:
        return Statement.url_of(self.slug)


class StatementQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Statement:
        return self.get(slug=slug)

    def published(self) -> StatementQuerySet:
        """Statements the public may list, count, search and syndicate."""
        return self.filter(status=Statement.Status.PUBLISHED)

    def without_sources(self) -> StatementQuerySet:
        """Without the source page and the import baseline, kept for editors and re-imports
        and shown by no public page: 7 kB a statement, most of what a list's page read."""
        return self.defer("source_text", "import_baseline")

    def for_lists(self) -> StatementQuerySet:
        """Only what a list of statements shows of each (includes/statement_item.html),
        as rows of ``LISTED_STATEMENT_COLUMNS``: its address, title, date, kind and
        speaker. Twenty with every other column, four timestamps parsed a row, took 1.05
        ms to read against 0.44; twenty models of the five, with their kinds' labels, were
        a tenth of a filtered list's instructions (callgrind, docs/performance.md)."""
        return self.values_list(*LISTED_STATEMENT_COLUMNS)

    def per_year_by_kind(self) -> list[tuple[int, str, int]]:
        """(year, kind, statements) for these statements, by year."""
        rows = (
            self.order_by()
            .annotate(year=year_of("date"))
            .values_list("year", "kind")
            .annotate(count=Count("pk"))
            .order_by("year", "kind")
        )
        return [(int(year), kind, count) for year, kind, count in rows]

    def per_year_kind_and_speaker(self) -> list[tuple[int, str, int | None, str, int]]:
        """(year, kind, person id, speaker as printed, statements) for these statements,
        by year and kind: a filtered list's chart, length and year, kind and speaker
        counts from one grouping, read from the list-order index alone."""
        rows = (
            self.order_by()
            .annotate(year=year_of("date"))
            .values_list("year", "kind", "person_id", "speaker")
            .annotate(count=Count("pk"))
            .order_by("year", "kind")
        )
        return [(int(year), kind, person, speaker, n) for year, kind, person, speaker, n in rows]

    def readable(self) -> StatementQuerySet:
        """Statements the public may open: published ones, and withdrawn ones (shown with
        their withdrawal notice)."""
        return self.filter(status__in=[Statement.Status.PUBLISHED, Statement.Status.WITHDRAWN])

    def citing(self, resolution: Resolution | int) -> StatementQuerySet:
        """Statements with a paragraph citing the resolution, whatever their status.

        Published ones come from the index of published citations, a list the database
        reads from one index range; the paragraphs of the others are searched only for
        statements that are not published (editors' lists), never for public pages."""
        number = resolution.number if isinstance(resolution, Resolution) else resolution
        indexed = PublishedCitation.objects.filter(resolution__number=number)
        in_paragraphs = Paragraph.resolutions.through.objects.filter(
            paragraph__statement=OuterRef("pk"), resolution__number=number
        )
        return self.filter(
            Q(pk__in=indexed.values("statement_id"))
            | ~Q(status=Statement.Status.PUBLISHED) & Exists(in_paragraphs)
        )

    def published_citing(
        self, resolution_id: int, dated: tuple[dt.date, dt.date] | None = None
    ) -> StatementQuerySet:
        """Published statements citing the resolution (by id), each checked by one seek in
        the (resolution, statement) index of published citations: a page of a filtered
        list stops at its last row instead of first listing every statement that cites
        the resolution (47,525 for the most cited one at 100,000: 35 ms to 0.05 ms).

        ``dated``: the first and last day the statements are filtered to, if they are. A
        citation carries its statement's date, so only those days' citations are looked
        at: PostgreSQL, grouping a year of statements citing the most cited resolution,
        otherwise joined all its 68,000 citations to them (15.7 ms against 3.1)."""
        cites = PublishedCitation.objects.filter(
            resolution_id=resolution_id, statement=OuterRef("pk")
        )
        if dated is not None:
            cites = cites.filter(date__range=dated)
        return self.published().filter(Exists(cites))

    # The neighbours in list order (newest first, then by id), as one range of the
    # (status, date) index each: an OR of "earlier day" and "same day, lower id" made
    # SQLite merge two ranges and sort them all.
    def older_than(self, statement: Statement) -> StatementQuerySet:
        """Statements listed after this one, nearest first."""
        return self._listed_after(statement.date, statement.id)

    def newer_than(self, statement: Statement) -> StatementQuerySet:
        """Statements listed before this one, nearest first."""
        return self._listed_before(statement.date, statement.id)

    # A day and an id, or the outer query's (OuterRef) for with_neighbours().
    def _listed_after(self, date: Any, pk: Any) -> StatementQuerySet:
        return self.filter(date__lte=date).exclude(date=date, id__gte=pk).order_by("-date", "-id")

    def _listed_before(self, date: Any, pk: Any) -> StatementQuerySet:
        return self.filter(date__gte=date).exclude(date=date, id__lte=pk).order_by("date", "id")

    def with_neighbours(self) -> StatementQuerySet:
        """Each with the address, title and date of the published statements listed just
        after and just before it (``published_neighbours()``), read with it: on
        PostgreSQL each further read of a page is a round trip, and the Django process
        then resumes on cold caches (docs/performance.md, thirteenth round)."""
        published = Statement.objects.published()
        date, pk = OuterRef("date"), OuterRef("id")
        sides = {
            "older": published._listed_after(date, pk),
            "newer": published._listed_before(date, pk),
        }
        return self.annotate(
            **{
                f"{side}_{column}": Subquery(nearest.values(column)[:1])
                for side, nearest in sides.items()
                for column in NEIGHBOUR_COLUMNS
            }
        )

    def with_related(self) -> StatementQuerySet:
        """Load every relation that pages and the API show, in a fixed number of queries."""
        return self.select_related("person").prefetch_related(
            paragraphs_in_reading_order(),
            Prefetch(
                "meetings", queryset=Meeting.objects.prefetch_related(participants_with_people())
            ),
        )

    def with_change_notes(self) -> StatementQuerySet:
        """Load each statement's public change notes, newest first (see
        ``Statement.public_change_notes``): for a statement's page, its API detail and
        the feeds."""
        return self.prefetch_related(
            Prefetch("change_notes", queryset=ChangeNote.objects.public(), to_attr="public_notes")
        )

    def with_cited_numbers(self) -> StatementQuerySet:
        """Annotate the numbers of the resolutions each statement cites (see
        ``Statement.cited_numbers``), one subquery per row: for lists of statements."""
        citations = (
            Paragraph.resolutions.through.objects.filter(paragraph__statement=OuterRef("pk"))
            .values("paragraph__statement")
            .annotate(numbers=NumberList("resolution__number"))
            .values("numbers")
        )
        return self.annotate(cited_number_list=Subquery(citations))

    def with_opening_text(self) -> StatementQuerySet:
        """Annotate ``opening_text``, the text of its first block in reading order (None
        when it has none), one subquery per row: a feed's entries quote it without
        loading every paragraph."""
        first = Paragraph.objects.filter(statement=OuterRef("pk")).order_by("position")
        return self.annotate(opening_text=Subquery(first.values("text")[:1]))

    def with_summary(self) -> StatementQuerySet:
        """Annotate ``paragraph_count`` and the cited resolution numbers, for the
        editors' list of statements."""
        paragraphs = (
            Paragraph.objects.filter(statement=OuterRef("pk"))
            .values("statement")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.with_cited_numbers().annotate(paragraph_count=Coalesce(Subquery(paragraphs), 0))


# The history's JSON: Django's, cheaper per object (statements/version_json.py).
VERSION_FORMAT = "json-versions"


@reversion.register(follow=["paragraphs"], format=VERSION_FORMAT)
class Statement(TimeStampedModel):
    Kind = StatementKind
    Status = StatementStatus

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_derived = models.BooleanField(
        _("title derived"),
        default=False,
        help_text=_("The source page has no title; the importer wrote this one. Refine it."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.STATEMENT)
    date = models.DateField(_("date"), help_text=_("The publication date."))
    section = models.CharField(_("section"), max_length=200, blank=True)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)  # as printed
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("speaker (person)"),
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    source_key = models.CharField(
        _("source key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Digest of the source page's date and opening paragraph (page_key)."),
    )
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # What the last import (or re-parse) made of the source page, as
    # ParsedDocument.as_json(): the baseline a re-import compares with, to tell a field an
    # editor changed from one a newer parser reads differently. Not derivable (re-parsing
    # today gives today's reading), so serialized: backups and the history carry it.
    import_baseline = models.JSONField(
        _("import baseline"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The parsed page as the last import wrote it."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    # The last major change readers were told of (or the first publication): the page's
    # "Last updated" and the feeds' <updated>, kept by the services with the change notes
    # (ChangeNote) so that a typo fixed never moves it.
    public_updated_at = models.DateTimeField(
        _("last updated for readers"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The last major change, or the first publication."),
    )
    withdrawn_note = models.TextField(
        _("withdrawal notice"),
        blank=True,
        help_text=_("Shown to the public on top of a withdrawn statement."),
    )
    # Optimistic locking: a save must carry the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1)
    meetings = models.ManyToManyField(
        Meeting, related_name="statements", blank=True, verbose_name=_("meetings")
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        get_latest_by = "date"
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values),
                name="statement_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StatementKind.values),
                name="statement_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_note=""),
                name="statement_withdrawn_has_note",
                violation_error_message=_("A withdrawn statement needs a public explanation."),
            ),
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="statement_source_url_unique",
            ),
        ]
        indexes = [
            # Published statements in list order, to the id: lists, neighbours and the
            # year choices read it in order and never sort. The kind, person and speaker
            # after the order make it cover a filtered list's counts (a year and a
            # resolution at 100,000 statements: 26 ms reading 4,400 rows, 4 from the index).
            models.Index(
                fields=["status", "-date", "-id", "kind", "person", "speaker"],
                name="statement_list_order_idx",
            ),
            # The speaker filter's choices and matches (statements.pages.filters), and its
            # counts by person from the index alone (the person too: 27 to 1.5 ms at 5,000).
            models.Index(
                fields=["status", "speaker", "person"], name="statement_status_speaker_idx"
            ),
            # The kind filter's counts and the statements per year and kind (the chart, the
            # year and kind counts), one index-only read instead of every row (whose source
            # text makes a scan slow: 32 of a 140 ms list at 10,000 statements; the chart's
            # grouping took 38 ms at 5,000 without the date here, 5 with it).
            models.Index(fields=["status", "kind", "date"], name="statement_status_kind_idx"),
            # The API's ordering=title reads a page of published statements in title order
            # instead of sorting them all (at 100,000: 4.5 s cold, 0.4 s warm; now 0.06 s).
            models.Index(fields=["status", "title"], name="statement_status_title_idx"),
            # The newest published change, in every statement page's ETag (views).
            models.Index(fields=["status", "-updated_at"], name="statement_status_updated_idx"),
            # A re-import of a page without an address finds its statement by this.
            models.Index(fields=["source_key"], name="statement_source_key_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        # url_of()'s body, not a call of it: a page links every statement it shows.
        return page_url("statements:statement-detail", slug=self.slug)

    @staticmethod
    def url_of(slug: str) -> str:
        """The page of the statement of this slug, for a page that reads its columns."""
        return page_url("statements:statement-detail", slug=slug)

    def get_akn_url(self) -> str:
        """Its Akoma Ntoso XML document on the public site."""
        return page_url("statements:statement-akn", slug=self.slug)

    def clean(self) -> None:
        errors = {}
        if error := future_date_error(self.date):
            errors["date"] = error
        if self.status == self.Status.WITHDRAWN and not self.withdrawn_note.strip():
            errors["withdrawn_note"] = ValidationError(
                _("A withdrawn statement needs a public explanation for readers."),
                code="withdrawn_without_note",
            )
        if errors:
            raise ValidationError(errors)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @cached_property
    def cited_resolutions(self) -> list[Resolution]:
        """Distinct resolutions its paragraphs cite, by number; from the paragraphs that
        ``with_related()`` or ``body()`` loaded, or as ``cited_resolutions_attach()`` set
        them (else queried)."""
        loaded = "_body" in self.__dict__ or "paragraphs" in getattr(
            self, "_prefetched_objects_cache", {}
        )
        if not loaded:  # the statement page with its rendered body (statements/bodies.py)
            return compiled_rows(_cited_by_statements, (), [self.pk])
        found = {r.pk: r for p in self.body() for r in p.citations}
        return sorted(found.values(), key=lambda r: r.number)

    @property
    def cited_numbers(self) -> list[int]:
        """The numbers of the resolutions it cites, ascending; from
        ``with_cited_numbers()`` when it ran, else as ``cited_resolutions``."""
        if hasattr(self, "cited_number_list"):
            return sorted(int(n) for n in (self.cited_number_list or "").split(",") if n)
        return [resolution.number for resolution in self.cited_resolutions]

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def body(self) -> list[Paragraph]:
        """Its blocks in reading order, each holding its parent from the same list and the
        resolutions it cites, so naming or linking any of them costs no query: what
        ``with_related()`` prefetched, else two queries, made once per instance (a plain
        query, not a prefetch: the prefetch machinery cost as much as the query)."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).get("paragraphs")
        if loaded is None and (loaded := self.__dict__.get("_body")) is None:
            loaded = compiled_rows(_statement_bodies, (), [self.pk])
            for block in loaded:
                block.statement = self
            citations_attach(loaded)
            self.__dict__["_body"] = loaded
        blocks = list(loaded)
        by_pk = {block.pk: block for block in blocks}
        for block in blocks:
            if block.parent_id in by_pk:
                block.parent = by_pk[block.parent_id]
        return blocks

    def reported_meetings(self) -> list[Meeting]:
        """The meetings it reports or mentions (``Meeting.Meta.ordering``), as its page
        lists them: without their participants, whom each meeting's own page shows. From
        SQL compiled once (its page)."""
        return compiled_rows(_meetings_reported, (), [self.pk])

    def published_neighbours(self) -> tuple[Neighbour | None, Neighbour | None]:
        """The published statements listed just after it and just before it (older and
        newer), with their address, title and date: its page's links onward. What
        ``with_neighbours()`` read with it, else read now."""
        found: Statement | None = self
        if "older_slug" not in self.__dict__:
            found = next(iter(compiled_rows(_with_neighbours, (), [self.pk])), None)

        def beside(side: str) -> Neighbour | None:
            if found is None or getattr(found, f"{side}_slug") is None:
                return None
            return Neighbour(*(getattr(found, f"{side}_{name}") for name in NEIGHBOUR_COLUMNS))

        return beside("older"), beside("newer")

    @property
    def first_published_at(self) -> dt.datetime | None:
        return self.published_at

    @property
    def public_change_notes(self) -> list[ChangeNote]:
        """The notes of its major changes, newest first: what ``with_change_notes()``
        loaded, else a query."""
        loaded = self.__dict__.get("public_notes")
        return loaded if loaded is not None else compiled_rows(_public_notes, (), [self.pk])

    @property
    def latest_change_note(self) -> ChangeNote | None:
        notes = self.public_change_notes
        return notes[0] if notes else None

    @property
    def was_updated(self) -> bool:
        """Changed for readers since it was first published (a "Last updated" to show)."""
        return bool(
            self.public_updated_at
            and self.published_at
            and self.public_updated_at > self.published_at
        )


class RenderedBody(models.Model):
    """A statement's body as its page shows it (the paragraphs, numbered and linked),
    and a meeting summary's as its meeting's page quotes it, rendered by the services
    when they write its paragraphs or citations, so that neither page reads and renders
    each paragraph at every request (statements/bodies.py). ``key`` says what it was
    rendered from: the body's stamps (counts, newest changes), the statement's address
    and kind, the code and templates that render it, the language and the address
    prefix. The page shows it only while the key is the one it would render
    now, else renders the body itself: a body written some other way (raw SQL, a
    release that changes the markup) is slower to serve, never stale."""

    statement = models.OneToOneField(
        Statement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="rendered_body",
        verbose_name=_("statement"),
    )
    key = models.CharField(_("key"), max_length=64)
    html = models.TextField(_("HTML"))
    # A meeting summary's body as its meeting's page quotes it, each paragraph linked to
    # its place in the statement ("" for other kinds, which no page quotes whole).
    quoted_html = models.TextField(_("quoted HTML"), blank=True, default="")
    # The page's meta description: its first paragraph's opening words ("" without one).
    opening = models.TextField(_("opening words"), blank=True)
    # The resolutions the body cites, by number, as rows of RESOLUTION_COLUMNS: the key
    # covers them as it covers the body's links, so the page need not read them. None:
    # kept without them (before they were kept), and the page reads them.
    resolutions = models.JSONField(
        _("resolutions cited"), null=True, blank=True, encoder=DjangoJSONEncoder
    )

    # What the statement page shows of a resolution its body cites, beside the body: the
    # sidebar's link and the JSON-LD's Legislation.
    RESOLUTION_COLUMNS = ("id", "number", "symbol", "adopted_on", "title", "document_url")

    class Meta:
        verbose_name = _("rendered body")
        verbose_name_plural = _("rendered bodies")

    def __str__(self) -> str:
        return str(self.statement_id)

    @staticmethod
    def resolution_rows(resolutions: Iterable[Resolution]) -> list[list[Any]]:
        """``resolutions`` as the body keeps them."""
        columns = RenderedBody.RESOLUTION_COLUMNS
        return [[getattr(resolution, name) for name in columns] for resolution in resolutions]

    def cited_resolutions(self) -> list[Resolution] | None:
        """The resolutions kept with the body, as models with the columns the page shows
        (None: kept without them)."""
        if self.resolutions is None:
            return None
        fields = [Resolution._meta.get_field(name) for name in self.RESOLUTION_COLUMNS]
        return [
            Resolution.from_db(
                self._state.db,
                self.RESOLUTION_COLUMNS,
                [field.to_python(value) for field, value in zip(fields, row, strict=True)],
            )
            for row in self.resolutions
        ]


class ChangeNoteQuerySet(models.QuerySet):
    def public(self) -> ChangeNoteQuerySet:
        """The notes of major changes, the ones readers see, newest first."""
        return self.filter(major=True).order_by("-date", "-id")


class ChangeNote(models.Model):
    """Whether one saved change to a statement was major, and the note that tells readers
    what changed (GOV.UK's change notes). Kept with the history it describes: a
    revision's own meta (``reversion.add_meta``, one row per revision that the services
    write for a statement), not a field of the statement. A minor change (a typo, a
    link) has no note and tells nobody; imports of drafts record none.

    ``statement`` finds a statement's notes without reading its versions; no database
    constraint, like the history's own ``object_id``: a deleted statement recovered from
    the history comes back with its id, and so with its notes."""

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="change_note", verbose_name=_("revision")
    )
    statement = models.ForeignKey(
        Statement,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="change_notes",
        verbose_name=_("statement"),
    )
    major = models.BooleanField(_("major change"), default=False)
    note = models.TextField(_("public change note"), blank=True)
    # When readers were told: the revision's time, or the first publication's for the
    # "First published." of content that arrived published (seeds, older archives).
    date = models.DateTimeField(_("date"))

    objects = ChangeNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("change note")
        verbose_name_plural = _("change notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(major=False) | ~Q(note=""),
                name="change_note_major_has_note",
                violation_error_message=_("A major change needs a note for readers."),
            ),
            models.CheckConstraint(
                condition=Q(major=True) | Q(note=""),
                name="change_note_minor_has_none",
                violation_error_message=_("A minor change has no public note."),
            ),
        ]

    def __str__(self) -> str:
        return self.note if self.major else str(_("Minor change"))


def paragraph_order_errors(rows: list[tuple[int, int | None]]) -> list[str]:
    """What is wrong with a statement's paragraphs, given as (position, printed number)
    pairs: positions must run 1..n without gaps or repeats, and printed numbers must be
    distinct and rise in reading order (un-numbered paragraphs may stand anywhere)."""
    errors = []
    positions = sorted(position for position, _number in rows)
    repeated = sorted({p for p in positions if positions.count(p) > 1})
    if repeated:
        errors.append(
            _("Two paragraphs share position %(positions)s; give each its own place.")
            % {"positions": ", ".join(map(str, repeated))}
        )
    missing = sorted(set(range(1, len(rows) + 1)) - set(positions))
    if missing and not repeated:
        errors.append(
            _(
                "Positions must run 1 to %(count)s without gaps; %(missing)s is missing. "
                "After removing or moving a paragraph, renumber the ones after it."
            )
            % {"count": len(rows), "missing": ", ".join(map(str, missing))}
        )
    # By position alone: with a position repeated, a number and None would be compared.
    in_order = sorted(rows, key=lambda row: row[0])
    numbers = [number for _position, number in in_order if number is not None]
    if len(set(numbers)) != len(numbers):
        repeated_numbers = sorted({n for n in numbers if numbers.count(n) > 1})
        errors.append(
            _("Printed number %(numbers)s is used twice.")
            % {"numbers": ", ".join(map(str, repeated_numbers))}
        )
    elif numbers != sorted(numbers):
        errors.append(
            _(
                "Printed numbers must rise in reading order (they read %(numbers)s); "
                "check the positions or the numbers."
            )
            % {"numbers": ", ".join(map(str, numbers))}
        )
    return errors


class RenderedQuote(models.Model):
    """A paragraph that cites a resolution, as that resolution's page quotes it: where it
    stands (``place``) and its text linked to the resolutions it cites (``html``),
    rendered by the services with its statement's body (statements/bodies.py), so that a
    page of fifty quotes does not read every block above them and find every mention
    again at each request. ``key`` says what it was rendered from (the quote's stamps,
    the code, the language and the address prefix); the page shows it only while the key
    is the one it would get now, else renders the quote itself."""

    paragraph = models.OneToOneField(
        "Paragraph",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="rendered_quote",
        verbose_name=_("paragraph"),
    )
    # What renders it, digested, then its stamps as text (bodies.quote_keys).
    key = models.TextField(_("key"))
    # Paragraph.place_name ("" for an un-labelled top-level block: the page names it).
    place = models.TextField(_("place"), blank=True)
    html = models.TextField(_("HTML"))

    class Meta:
        verbose_name = _("rendered quote")
        verbose_name_plural = _("rendered quotes")

    def __str__(self) -> str:
        return str(self.paragraph_id)


class ParagraphQuerySet(models.QuerySet):
    def get_by_natural_key(self, statement_slug: str, position: int) -> Paragraph:
        return self.get(statement__slug=statement_slug, position=position)

    def published(self) -> ParagraphQuerySet:
        return self.filter(statement__status=Statement.Status.PUBLISHED)

    def citing(self, resolution: Resolution | int) -> ParagraphQuerySet:
        """Paragraphs citing the resolution, whatever their statement's status; those of
        published statements come from the index of published citations."""
        number = resolution.number if isinstance(resolution, Resolution) else resolution
        indexed = PublishedCitation.objects.filter(resolution__number=number)
        cites = Paragraph.resolutions.through.objects.filter(
            paragraph=OuterRef("pk"), resolution__number=number
        )
        return self.filter(
            Q(pk__in=indexed.values("paragraph_id"))
            | ~Q(statement__status=Statement.Status.PUBLISHED) & Exists(cites)
        )

    def newest_citing(self, resolution_id: int, limit: int) -> ParagraphQuerySet:
        """The newest published paragraphs citing the resolution, at most ``limit``,
        newest statement first: a page of the index of published citations (the most
        cited resolution of a 100,000-statement archive is cited 68,000 times)."""
        page = (
            PublishedCitation.objects.filter(resolution_id=resolution_id)
            .newest_first()
            .values_list("paragraph_id", flat=True)[:limit]
        )
        return self.filter(pk__in=page).order_by("-statement__date", "-statement_id", "position")

    def with_place(self, *, dated: bool = True) -> ParagraphQuerySet:
        """What a quote of a paragraph shows (a search result, its feed entry, a
        resolution's citing paragraphs): its statement and the blocks above
        (``place_name``), and only the columns read (each timestamp is a string parsed on
        SQLite). ``dated``: with its last change and its statement's publication and last
        change (a feed's dates), which a page that prints none goes without (three parsed a
        quote; a resolution page quotes fifty). Not the resolutions it cites:
        ``citations_attach`` gives them to the paragraphs that link them, from one query
        of the link table."""
        columns = _RESULT_COLUMNS if dated else _UNDATED_RESULT_COLUMNS
        return self.select_related("statement", ANCESTORS).only(*columns)


def in_citation_order(paragraphs: Iterable[Paragraph], *, oldest: bool = False) -> list[Paragraph]:
    """Paragraphs read with their statements' dates (``with_place()``) in the order of the
    index of published citations: newest statement first (``oldest``: oldest first), then
    reading order. Sorted here, not by the read: its ORDER BY through the statement cost
    0.4-1.0 ms of building a query of a quote's thirty-odd columns, the sort 20 µs."""
    if oldest:
        return sorted(paragraphs, key=lambda p: (p.statement.date, p.statement_id, p.position))
    return sorted(
        paragraphs,
        key=lambda p: newest_citation_first(p.statement.date, p.statement_id, p.position),
    )


def newest_citation_first(date: dt.date, statement_id: int, position: int) -> tuple[int, int, int]:
    """The sort key of a citing paragraph in the index's order: newest statement first,
    then reading order."""
    return (-date.toordinal(), -statement_id, position)


class ParagraphKind(models.TextChoices):
    HEADING = "heading", _("heading")
    PARAGRAPH = "paragraph", _("paragraph")


# The blocks above a paragraph that ``with_place()`` joins in: a page nests its items
# three levels under a heading at most ("1." > "(1)" > "(a)" > "(i)"); deeper ones are
# named from what is loaded, never with a query each.
ANCESTORS = "parent__parent__parent"
# The path to each of those blocks: "parent", "parent__parent", …
_LINKS = ANCESTORS.split("__")
ANCESTOR_PATHS = ["__".join(_LINKS[:depth]) for depth in range(1, len(_LINKS) + 1)]

# The columns ``with_place()`` reads: a paragraph's place and text, its statement's
# address and heading, its last change and its statement's (the feed's dates), and what
# ``place_name`` reads of each block above, down to the parent of the last one loaded.
_BLOCK_COLUMNS = ("number", "text", "kind", "label", "parent_id")
_RESULT_COLUMNS = (
    *_BLOCK_COLUMNS,
    "statement_id",
    "position",
    "anchor",
    "updated_at",
    *(
        f"statement__{name}"
        for name in ("slug", "title", "kind", "date", "speaker", "published_at", "updated_at")
    ),
    *(f"{path}__{name}" for path in ANCESTOR_PATHS for name in _BLOCK_COLUMNS),
)
_RESULT_DATES = ("updated_at", "statement__published_at", "statement__updated_at")
_UNDATED_RESULT_COLUMNS = tuple(name for name in _RESULT_COLUMNS if name not in _RESULT_DATES)


def printed_label(label: str) -> str:
    """A stored label as pages print it before a heading: "2" was "2.", "(1)" stays."""
    return f"{label}." if label and label[-1].isalnum() else label


def _cited_label(block: Paragraph) -> str:
    # A top-level numbered block reads by its number, as flat statements always did.
    return str(block.number) if block.number is not None else block.label


@reversion.register(format=VERSION_FORMAT)
class Paragraph(TimeStampedModel):
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("1, 2, 3… in reading order."))
    number = models.PositiveIntegerField(
        _("printed number"),
        null=True,
        blank=True,
        help_text=_("Empty for an un-numbered paragraph."),
    )
    text = models.TextField(_("text"))
    resolutions = models.ManyToManyField(
        Resolution, related_name="paragraphs", blank=True, verbose_name=_("cited resolutions")
    )

    Kind = ParagraphKind

    # The body is a tree (issue 18): the services compute parent, depth and anchor from
    # the blocks' labels in reading order (statements.importing.anchors), never the database.
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.PARAGRAPH)
    label = models.CharField(
        _("label"),
        max_length=16,
        blank=True,
        help_text=_('As printed, without a final full stop: "2", "(1)", "a"; empty if none.'),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, help_text=_("0 at the top."))
    # CASCADE: a heading's items go with it; the services detach the items they keep first.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Null only between a raw load (an old backup, a revert to a version older than the
    # tree) and the service that fills it in; never empty.
    anchor = models.CharField(  # noqa: DJ001 - NULL is "not yet computed", many at once
        _("anchor"),
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The permalink fragment: p2, p2-1, p-1 for an un-labelled block."),
    )

    objects = ParagraphQuerySet.as_manager()
    unordered = UnorderedManager()

    class Meta:
        base_manager_name = "unordered"
        ordering = ["statement", "position"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"],
                name="paragraph_unique_position",
                violation_error_message=_("Two paragraphs cannot share a position."),
            ),
            models.UniqueConstraint(
                fields=["statement", "number"],
                name="paragraph_unique_number",
                violation_error_message=_("Two paragraphs cannot share a printed number."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="paragraph_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1),
                name="paragraph_number_positive",
            ),
            models.UniqueConstraint(
                fields=["statement", "anchor"],
                name="paragraph_unique_anchor",
                violation_error_message=_("Two paragraphs cannot share an anchor."),
            ),
            models.CheckConstraint(condition=~Q(anchor=""), name="paragraph_anchor_not_empty"),
            models.CheckConstraint(condition=Q(depth__gte=0), name="paragraph_depth_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["heading", "paragraph"]), name="paragraph_kind_valid"
            ),
            # The printed number is the #pN of a top-level block only.
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(depth=0), name="paragraph_number_top_level"
            ),
        ]

    def __str__(self) -> str:
        # Read within its statement (admin messages, history), so no statement id.
        if self.number is not None:
            return f"¶{self.number}"
        return _("un-numbered paragraph at position %(position)s") % {"position": self.position}

    def get_absolute_url(self) -> str:
        return f"{self.statement.get_absolute_url()}#{self.anchor}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.statement.natural_key(), self.position)

    natural_key.dependencies = ["statements.statement"]

    @property
    def citations(self) -> list[Resolution]:
        """The resolutions it cites, by number: the list ``citations_attach()`` or a
        statement's ``with_related()`` loaded, else a query."""
        loaded = self.__dict__.get("cited_list")
        return loaded if loaded is not None else list(self.resolutions.order_by("number"))

    def cited_spans(self) -> list[tuple[int, int, Resolution]]:
        """(start, end, resolution) for each mention in the text of a resolution it cites,
        in order, overlaps skipped: what the page and the Akoma Ntoso export link. Reads
        ``citations``, so no query once they are loaded."""
        cited = {resolution.number: resolution for resolution in self.citations}
        if not cited:
            # Most paragraphs cite nothing: no mention can be linked, so no scan of the text
            # (the regex was a quarter of the paragraph loop on a statement's page).
            return []
        spans: list[tuple[int, int, Resolution]] = []
        done = 0
        for mention in resolution_mentions(self.text):
            resolution = cited.get(mention.number)
            if resolution is None or mention.start < done:
                continue
            spans.append((mention.start, mention.end, resolution))
            done = mention.end
        return spans

    @property
    def is_heading(self) -> bool:
        return self.kind == self.Kind.HEADING

    def ancestors(self) -> list[Paragraph]:
        """The blocks above it, top first, as far as they are loaded (``with_place()``,
        ``Statement.body()``): never a query."""
        chain: list[Paragraph] = []
        block = self
        parent = Paragraph._meta.get_field("parent")
        while block.parent_id is not None and parent.is_cached(block):
            block = block.parent
            chain.append(block)
        return chain[::-1]

    @property
    def label_path(self) -> str:
        """Its labels from the top, as a reader cites it: "2 (1)", "1" (empty when no
        block on the way is labelled)."""
        return " ".join(label for b in [*self.ancestors(), self] if (label := _cited_label(b)))

    @property
    def place_name(self) -> str:
        """Where it stands, for a citation out of context: the heading it sits under and
        its labels below it ("2. Council reform, (1)"), else "Paragraph 2 (1)", else ""
        (an un-labelled top-level block: the page says "Opening paragraph")."""
        chain = [*self.ancestors(), self]
        heading = next((b for b in reversed(chain) if b.is_heading), None)
        if heading is None:
            path = self.label_path
            return translation.gettext("Paragraph %(number)s") % {"number": path} if path else ""
        label = _cited_label(heading)
        title = f"{printed_label(label)} {heading.text}" if label else heading.text
        below = " ".join(b.label for b in chain[chain.index(heading) + 1 :] if b.label)
        return f"{title}, {below}" if below else title


# --- What a page of records shows of their relations, by id ----------------------------
# One query each, from the link tables alone, for the ids of a page's rows (``values()``):
# the API's lists and details. Cheaper to build than a prefetch or a subquery annotation
# (the ORM's work is most of a query's cost), and never a model instance.


def prefetched(
    instances: Sequence[models.Model], relation: str, objects: Iterable[models.Model]
) -> None:
    """Give each instance its objects of a reverse foreign key (``meeting.participants``),
    in the order given, as ``prefetch_related()`` leaves them: ``.all()`` then reads them
    with no query, a further filter queries the instance's own, as the prefetch's does,
    and each object holds its instance (``participant.meeting``)."""
    if not instances:
        return
    key = getattr(type(instances[0]), relation).field
    owned = _grouped((getattr(obj, key.attname), obj) for obj in objects)
    for instance in instances:
        mine = owned.get(instance.pk, [])
        for obj in mine:
            if not key.is_cached(obj):
                setattr(obj, key.name, instance)
        # The filter built only if one is asked for, as Django's related managers defer
        # theirs: building it was 45 µs an instance, ten times the rest.
        loaded = key.model._default_manager.all()
        loaded._defer_next_filter = True
        loaded = loaded.filter(**{key.name: instance})
        loaded._result_cache, loaded._prefetch_done = mine, True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = loaded


def _grouped(pairs: Iterable[tuple[int, Any]]) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


@functools.cache
def built_once(build: Callable[..., QuerySet], *args: Any) -> QuerySet:
    """The read ``build(*args)`` makes, built once (the reads below, the API's rows): each
    call filters or copies it (resolving the columns and the order again was a third of
    building the query), so the kept one is never evaluated.
    What a read filters or orders by is an ``alias()``, resolved here once too: named
    in ``filter()`` or ``order_by()`` as a column or a path, it was resolved again at
    each call (a fifth of the query's cost; the SQL is the same). The reads by id alias
    the id they are read by as ``key``."""
    return build(*args)


class _CompiledRead:
    """A read as the ORM compiled it once: its SQL, its parameters with where each key
    goes, and how its rows become what the QuerySet gives (``values()``,
    ``values_list()`` or model instances, with what ``select_related()`` and
    ``annotate()`` add to them).

    The keys' places are where the parameters of two compilations differ, one with stand-in
    keys and one with others: the ORM may check a key against its column's range (an
    id too large for a small integer is left out of the SQL), so the stand-ins are small
    and valid, and a constant of the read equal to one of them is the same in both. A key
    may stand in several places (a day compared twice)."""

    def __init__(self, reads: tuple[QuerySet, QuerySet], marks: list[Any]) -> None:
        queryset, other = reads
        iterable = queryset._iterable_class
        if iterable not in (
            ValuesIterable,
            ValuesListIterable,
            FlatValuesListIterable,
            ModelIterable,
        ):
            raise TypeError("A compiled read gives values(), values_list() or model rows.")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("A compiled read prefetches nothing: read the relations by key.")
        query = queryset.query
        self.compiler = query.get_compiler(queryset.db)
        connection = self.compiler.connection
        try:
            self.sql, params = self.compiler.as_sql()
            # A read of no keys has nothing to find: compiled once.
            other_sql, other_params = (
                other.query.get_compiler(other.db).as_sql() if marks else (self.sql, params)
            )
        except EmptyResultSet:
            self.sql = ""  # a read the ORM knows is empty, whatever its keys: no query
            return
        self.params = list(params)
        differ = {
            place: value
            for place, (value, another) in enumerate(zip(params, other_params, strict=True))
            if value != another
        }
        self.slots = [
            [place for place, value in differ.items() if value == _parameter(mark, connection)]
            for mark in marks
        ]
        if other_sql != self.sql or not all(self.slots) or sum(map(len, self.slots)) != len(differ):
            raise ValueError("A compiled read must take each of its keys as a parameter.")
        self.days = any(type(mark) is dt.date for mark in marks)  # keys the backend adapts
        # What results_iter() works out at each call, once: the converters of the columns.
        selected = self.compiler.select[: self.compiler.col_count]  # set up by as_sql()
        columns = [column for column, _, _ in selected]
        if self.compiler.has_composite_fields(columns):
            raise TypeError("A compiled read gives no composite key.")
        self.converters = self.compiler.get_converters(columns)
        self.names = self.model = None
        self.flat = iterable is FlatValuesListIterable
        if iterable is ValuesIterable:
            self.names = list(query.selected or ()) or [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        elif iterable is ModelIterable:
            # What ModelIterable works out from the compiler at each evaluation, once.
            info = self.compiler.klass_info
            self.model = info["model"]
            self.fields = slice(info["select_fields"][0], info["select_fields"][-1] + 1)
            self.attnames = [column.target.attname for column in columns[self.fields]]
            self.related = get_related_populators(info, self.compiler.select, queryset.db)
            self.annotations = list(self.compiler.annotation_col_map.items())

    def rows(self, keys: Iterable[Any]) -> list:
        if not self.sql:
            return []
        connection = self.compiler.connection
        params = self.params.copy()
        if self.days:
            keys = [_parameter(key, connection) for key in keys]
        for places, key in zip(self.slots, keys, strict=True):
            for place in places:
                params[place] = key

        def read() -> list:
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                return cursor.fetchall()

        # One query that writes nothing: a request's first (the API's) is the connection's
        # health check too, as the pages' first reads are.
        fetched = checked_first_read(read)
        rows = (
            self.compiler.apply_converters(fetched, self.converters) if self.converters else fetched
        )
        if self.model is not None:
            return [self.instance(row) for row in rows]
        if self.flat:
            return [row[0] for row in rows]
        if self.names is None:
            return [tuple(row) for row in rows]
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def instance(self, row: Sequence[Any]) -> models.Model:
        """The model of a row, as ``ModelIterable`` builds it."""
        obj = self.model.from_db(self.compiler.using, self.attnames, row[self.fields])
        for populator in self.related:
            populator.populate(row, obj)
        for name, place in self.annotations:
            setattr(obj, name, row[place])
        return obj


def _parameter(key: Any, connection: BaseDatabaseWrapper) -> Any:
    """A key as the ORM passes it to the database: a day as the backend adapts it."""
    if type(key) is dt.date:
        return connection.ops.adapt_datefield_value(key)
    return key


# What stands for a read's n-th key while the ORM compiles it.
_MARKS = {
    int: lambda n: n,
    str: lambda n: f"compiled-read-{n}",
    dt.date: lambda n: dt.date(2000, 1, 1) + dt.timedelta(days=n),
}


@functools.lru_cache(maxsize=512)
def _compiled(
    read: Callable[..., QuerySet],
    args: tuple,
    shape: tuple[tuple[type, int], ...],
    connection: BaseDatabaseWrapper,
) -> _CompiledRead:
    total = sum(count for _, count in shape)

    def stand_ins(first: int) -> list[list[Any]]:
        marks, n = [], first
        for kind, count in shape:
            marks.append([_MARKS[kind](n + i) for i in range(count)])
            n += count
        return marks

    one, two = stand_ins(1), stand_ins(1 + total)
    first = read(*args, *one).using(connection.alias)
    reads = (first, read(*args, *two).using(connection.alias) if total else first)
    return _CompiledRead(reads, [mark for marks in one for mark in marks])


# No integer column holds a whole number beyond 64 bits, and SQLite refuses one as a
# parameter (OverflowError, a 500 for /resolutions/<30 digits>/): such a key finds nothing,
# as the ORM's exact lookup of a number out of its column's range does.
_WIDEST_INTEGER = 2**63


def _findable(key: Any) -> bool:
    if key is None:
        return False
    return type(key) is not int or -_WIDEST_INTEGER <= key < _WIDEST_INTEGER


def compiled_rows(read: Callable[..., QuerySet], args: tuple, *keys: Iterable[Any]) -> list:
    """What ``read(*args, *keys)`` gives (``values()`` or ``values_list()`` rows, or model
    instances with what they select and annotate), a read of records by lists of keys
    (ids, slugs or days: what the column holds, not text to convert), run from SQL the
    ORM compiled once for as many keys (per database connection).
    Building and compiling a query was most of what a read of a page cost (0.3-0.5 ms,
    against 0.05 for SQLite to run it); its SQL depends on the keys only through their
    number. The keys of each list are taken once and without ``None`` (or a whole number
    no integer column holds), as a filter ``__in`` takes them; a read may take no keys at
    all (the newest few of a kind). A read of models prefetches nothing: its relations
    are read by key too.
    Like ``built_once()``, the read must depend on its arguments alone: never on the
    time, the language or a setting read as it builds (the SQL keeps what it read)."""
    lists = [list(dict.fromkeys(key for key in ids if _findable(key))) for ids in keys]
    if lists and not any(lists):
        return []
    shape = tuple((type(ids[0]) if ids else int, len(ids)) for ids in lists)
    if any(kind not in _MARKS for kind, _ in shape) or any(
        {type(key) for key in ids} - {kind} for (kind, _), ids in zip(shape, lists, strict=True)
    ):
        raise TypeError("A compiled read's keys are ints, strs or days, one kind a list.")
    # Per connection (a thread's), whose backend compiled the SQL and converts its rows.
    connection = connections[DEFAULT_DB_ALIAS]
    return _compiled(read, args, shape, connection).rows(itertools.chain(*lists))


def compiled_slice(read: Callable[[], QuerySet], start: int, stop: int) -> list:
    """``read()[start:stop]`` (a page of a list, the newest few of a kind) from SQL
    compiled once per slice: ``compiled_rows()`` of no key. ``read`` is a function or a
    class's method, the same object at each call."""
    return compiled_rows(_sliced, (read, start, stop))


def _sliced(read: Callable[[], QuerySet], start: int, stop: int) -> QuerySet:
    return read()[start:stop]


def by_key(build: Callable[..., QuerySet], args: tuple, ids: list[int | str]) -> QuerySet:
    """The rows of a read built once (``built_once(build, *args)``) whose ``key`` alias
    is one of ``ids``: the usual read for ``compiled_rows()``."""
    return built_once(build, *args).filter(key__in=ids)


def rows_by_key(
    build: Callable[..., QuerySet], args: tuple, ids: Iterable[int | str | None]
) -> list:
    """``compiled_rows()`` of ``by_key()``."""
    return compiled_rows(by_key, (build, args), ids)


def cited_resolution(number: int) -> Resolution | None:
    """The resolution of this number when a published paragraph cites it (it has a public
    page), from SQL compiled once: a resolution's page and a search for its symbol."""
    found = compiled_rows(_cited_by_number, (), [number])
    return found[0] if found else None


def _cited_by_number(numbers: list[int]) -> QuerySet[Resolution]:
    return Resolution.objects.cited().filter(number__in=numbers)


def resolution_count() -> int:
    """How many resolutions the archive holds (the API's list of them, which no tally
    keeps), from SQL compiled once: building the count was a tenth of that list."""
    (count,) = compiled_rows(_resolutions_counted, ())
    return count


def _resolutions_counted() -> QuerySet:
    # One group for every row: the ORM leaves a constant out of GROUP BY, so this is
    # COUNT over the table, one row even of none, as a QuerySet compiled_rows() can keep.
    whole = Resolution.objects.order_by().annotate(whole=Value(1, models.IntegerField()))
    return whole.values("whole").annotate(n=Count("pk")).values_list("n", flat=True)


def _statement_citations() -> QuerySet:
    links = Paragraph.resolutions.through.objects.alias(key=F("paragraph__statement_id"))
    return links.values_list("paragraph__statement_id", "resolution__number").distinct()


def published_statement_citations(*columns: str) -> QuerySet:
    """Each published statement and these columns of each resolution it cites, once, by
    the statement as ``key``: a read for ``built_once()`` (the API's lists, the search
    facets)."""
    cited = PublishedCitation.objects.order_by().alias(key=F("statement_id"))
    columns = tuple(f"resolution__{column}" for column in columns)
    return cited.values_list("statement_id", *columns).distinct()


# The timestamps of the records a statement page reads beside the statement, which no page,
# quote or API reply of them shows: two strings parsed a row on SQLite, 4% of a statement's
# page for its body's blocks, 4% more for its meetings, participants, people and cited
# resolutions (docs/performance.md). A save of such a row still stamps it
# (TimeStampedModel.save).
UNSHOWN = ("created_at", "updated_at")


def _statement_bodies(ids: list[int]) -> QuerySet:
    return (
        Paragraph.objects.filter(statement_id__in=ids)
        .defer(*UNSHOWN)
        .order_by("statement_id", "position")
    )


def _cited_by_statements(ids: list[int]) -> QuerySet:
    cited = Resolution.objects.filter(paragraphs__statement__in=ids).defer(*UNSHOWN)
    return cited.distinct().order_by("number")


def _public_notes(ids: list[int]) -> QuerySet:
    return ChangeNote.objects.filter(statement_id__in=ids).public()


def _meetings_reported(ids: list[int]) -> QuerySet:
    return Meeting.objects.filter(statements__in=ids).defer(*UNSHOWN)


def _meeting_participants(ids: list[int]) -> QuerySet:
    # participants_with_people(), by meeting
    participants = participants_with_people().queryset.filter(meeting_id__in=ids)
    return participants.defer(*UNSHOWN, *(f"person__{name}" for name in UNSHOWN))


def _reporting_statements(ids: list[int]) -> QuerySet:
    # as reporting_statements() orders them, by meeting
    statements = Statement.objects.without_sources().filter(meetings__in=ids)
    return statements.order_by("-date", "-id")


def _with_neighbours(ids: list[int]) -> QuerySet:
    return Statement.objects.filter(pk__in=ids).only("pk").with_neighbours()


def _paragraph_citations(*columns: str) -> QuerySet:
    """Each citation's paragraph and these columns of the resolution it cites, by number."""
    links = Paragraph.resolutions.through.objects.alias(
        key=F("paragraph_id"), cited_number=F("resolution__number")
    )
    cited = (f"resolution__{column}" for column in columns)
    return links.order_by("cited_number").values_list("paragraph_id", *cited)


def _statement_meetings() -> QuerySet:
    # Meeting.Meta.ordering, as a prefetch of the meetings has it
    links = Statement.meetings.through.objects.alias(
        key=F("statement_id"),
        meeting_date=F("meeting__date"),
        meeting_start=F("meeting__start_time"),
    )
    ordered = links.order_by("-meeting_date", "-meeting_start", "-meeting_id")
    return ordered.values_list("statement_id", "meeting__slug")


def _meeting_statements() -> QuerySet:
    links = Statement.meetings.through.objects.alias(
        key=F("meeting_id"), statement_date=F("statement__date")
    )
    ordered = links.order_by("-statement_date", "-statement_id")
    return ordered.values_list("meeting_id", "statement__slug", "statement__status")


def cited_numbers_by_statement(
    statement_ids: list[int], published: Collection[int] = ()
) -> dict[int, list[int]]:
    """The numbers of the resolutions any paragraph of each statement cites, ascending
    (``Statement.cited_numbers``). Those of the ``published`` statements among them come
    from the index of published citations, read by statement: PostgreSQL planned the
    join through every paragraph's links as a scan of all of them (29 ms for 20
    statements at 100,000, against 1.3). One query either way."""
    ids = [pk for pk in statement_ids if pk in published]
    others = [pk for pk in statement_ids if pk not in published]
    pairs = compiled_rows(_cited_by_statement, (), ids, others)
    return {key: sorted(numbers) for key, numbers in _grouped(pairs).items()}


def _cited_by_statement(published: list[int], others: list[int]) -> QuerySet:
    # A UNION only of parts with ids: Django leaves an empty part out of the SQL, but only
    # after building it, and a public page (all published) spent 0.45 ms on the query
    # against 0.31 for its one part. Each part is distinct, as a UNION is.
    parts = []
    if published:
        parts.append(by_key(published_statement_citations, ("number",), published))
    if others:
        parts.append(by_key(_statement_citations, (), others))
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def cited_numbers_by_paragraph(paragraph_ids: list[int]) -> dict[int, list[int]]:
    """The numbers of the resolutions each paragraph cites, ascending (``citations``)."""
    return _grouped(rows_by_key(_paragraph_citations, ("number",), paragraph_ids))


def meeting_slugs_by_statement(statement_ids: list[int]) -> dict[int, list[str]]:
    """The slugs of the meetings each statement reports or mentions, in the meetings'
    order (newest first)."""
    return _grouped(rows_by_key(_statement_meetings, (), statement_ids))


def reporting_slugs_by_meeting(meeting_ids: list[int]) -> dict[int, list[str]]:
    """The slugs of the published statements reporting or mentioning each meeting, newest
    first (``Meeting.published_statements``; the status is checked here, not in the
    query, for the reason ``reporting_statements()`` gives)."""
    rows = rows_by_key(_meeting_statements, (), meeting_ids)
    return _grouped(
        (meeting, slug) for meeting, slug, status in rows if status == StatementStatus.PUBLISHED
    )


# --- What the database keeps for the pages -----------------------------------------------


class PublishedCitationQuerySet(models.QuerySet):
    def newest_first(self) -> PublishedCitationQuerySet:
        """Newest statement first, then reading order: the order of the index."""
        return self.order_by("-date", "-statement_id", "position")

    def per_month(self) -> list[tuple[dt.date, int]]:
        """(first day of the month, citations) in date order: a resolution's timeline,
        read from the index it is filtered by."""
        rows = (
            self.order_by()
            .annotate(month=month_of("date"))
            .values_list("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )
        return [(dt.date(int(month[:4]), int(month[5:7]), 1), count) for month, count in rows]


class PublishedCitation(models.Model):
    """A paragraph of a published statement citing a resolution, with the statement's
    date and the paragraph's position copied in: a row per citation of published
    content, kept by database triggers (migration 0010) and never written from Python.

    One index then gives a resolution's citations newest first, a page at a time, however
    many there are; reading the citations through paragraphs and statements meant sorting
    every one of them (68,000 for the most cited resolution of a 100,000-statement
    archive) for each page."""

    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    date = models.DateField(_("statement date"))
    position = models.PositiveIntegerField(_("paragraph position"))

    objects = PublishedCitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("published citation")
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "resolution"], name="published_citation_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["resolution", "-date", "-statement", "position"],
                name="published_citation_order_idx",
            ),
            # The statements citing each resolution (the list's counts), from the index in
            # order: no sort of every citation to count distinct statements.
            models.Index(fields=["resolution", "statement"], name="published_citation_cited_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.paragraph_id} cites {self.resolution_id}"


def _tally_values() -> QuerySet:
    return Tally.objects.alias(key=F("name")).values_list("value")


class TallyQuerySet(models.QuerySet):
    def published_statements(self) -> int:
        return self._value(Tally.PUBLISHED_STATEMENTS, Statement.objects.published)

    def published_paragraphs(self) -> int:
        return self._value(Tally.PUBLISHED_PARAGRAPHS, Paragraph.objects.published)

    def published_meetings(self) -> int:
        return self._value(Tally.PUBLISHED_MEETINGS, Meeting.objects.published)

    def _value(self, name: str, counted: Callable[[], QuerySet]) -> int:
        # Kept per content generation, as every count of the whole archive is: a list
        # reads the generation anyway, and on PostgreSQL a read fewer is a round trip
        # fewer. A missing row (a flush removed it) is counted instead: slower, never
        # wrong. The rows to count are built only then (building them was a tenth of an
        # API list), and the read itself compiled once.
        def read() -> int:
            (value,) = next(iter(rows_by_key(_tally_values, (), [name])), (None,))
            return counted().count() if value is None else value

        return per_generation(f"tally:{name}", read)

    def restore_missing(self) -> None:
        """Write the tallies a flush removed, counted from the rows (post_migrate)."""
        counted = {
            Tally.PUBLISHED_STATEMENTS: Statement.objects.published(),
            Tally.PUBLISHED_PARAGRAPHS: Paragraph.objects.published(),
            Tally.PUBLISHED_MEETINGS: Meeting.objects.published(),
        }
        present = set(self.values_list("name", flat=True))
        self.bulk_create(
            Tally(name=name, value=rows.count())
            for name, rows in counted.items()
            if name not in present
        )


class Tally(models.Model):
    """A count kept by database triggers (migration 0014), for lists that say how many
    they hold: counting every published statement for each page of the list read the
    whole archive's index (5 ms at 100,000 statements, growing with it)."""

    PUBLISHED_STATEMENTS = "published_statements"
    PUBLISHED_PARAGRAPHS = "published_paragraphs"  # paragraphs of published statements
    PUBLISHED_MEETINGS = "published_meetings"  # meetings with a published statement

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


# --- The cache's view of the content -------------------------------------------------------


class ContentGeneration(models.Model):
    """One row whose ``number`` goes up after every committed write to the archive's
    tables (mofa_site/caching.py). Cached pages are keyed by it, so one change retires
    every cached page at once, in every process, whatever the cache backend."""

    number = models.PositiveBigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("content generation")

    def __str__(self) -> str:
        return str(self.number)


# --- Email alerts (statements/services/alerts.py) ----------------------------------------


class SubscriptionFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as they are published")
    DAILY = "daily", _("A daily digest")


def _subscription_key() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """A confirmed request to be emailed new published statements that match ``criteria``
    (the filters of a list or a search). Only confirmed addresses are stored: a request
    lives in its signed confirmation link until the reader follows it."""

    Frequency = SubscriptionFrequency

    email = models.EmailField(_("email address"))
    criteria = models.JSONField(_("criteria"), help_text=_("The filters, as the lists name them."))
    criteria_key = models.CharField(_("criteria key"), max_length=64, editable=False)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )
    # What unsubscribe links carry (signed): never the address or the primary key.
    key = models.CharField(max_length=32, unique=True, default=_subscription_key, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "criteria_key"], name="subscription_unique_criteria"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=SubscriptionFrequency.values),
                name="subscription_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.criteria}"


class AlertDelivery(models.Model):
    """A statement claimed for a subscription's message. Claimed before the message is
    sent, so a statement is never sent twice, whatever interrupts ``send_alerts``; a
    message that fails to send gives its claims back."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "statement"], name="alert_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} → {self.subscription_id}"
