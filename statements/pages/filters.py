"""Filters readers combine on the statement list and the search page; the choices offered
are only those that published content has, so no filter leads to an empty page."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from mofa_site import caching
from statements import derived, search
from statements.form_fields import OrderingField
from statements.importing.people import PeopleIndex, printed_name
from statements.models import (
    Meeting,
    Person,
    PublishedCitation,
    Resolution,
    Statement,
    compiled_rows,
    search_key,
    year_of,
)

# The choices are the distinct years and speakers of published statements. DISTINCT would
# read every statement; these recursive queries jump from one value to the next through
# the (status, date) and (status, speaker) indexes, so they cost one index seek per
# value, however large the archive (the speakers' is the search's, which matches names).
# The same SQL runs on SQLite and PostgreSQL, but for the start of a year.
_START_OF_YEAR = {
    "sqlite": "date(years.day, 'start of year')",
    "postgresql": "date_trunc('year', years.day)::date",
}
_YEARS = f"""
WITH RECURSIVE years(day) AS (
    SELECT MAX(date) FROM {derived.STATEMENT} WHERE status = %(published)s
    UNION ALL
    SELECT (
        SELECT MAX(date) FROM {derived.STATEMENT}
        WHERE status = %(published)s AND date < {{start_of_year}}
    ) FROM years WHERE day IS NOT NULL
)
SELECT day FROM years WHERE day IS NOT NULL
"""


def _column(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"published": Statement.Status.PUBLISHED})
        return [value for (value,) in cursor.fetchall()]


def years_sql() -> str:
    return _YEARS.format(start_of_year=_START_OF_YEAR[connection.vendor])


# The filters' choices are the archive's, read once per change of the content
# (``caching.per_generation``), not by four queries and a match of every speaker line
# against the people for each list and search page.


def year_choices() -> list[tuple[int, int]]:
    """Years with published statements, newest first."""
    return caching.per_generation("year-choices", _year_choices)


def _year_choices() -> list[tuple[int, int]]:
    years = [int(str(day)[:4]) for day in _column(years_sql())]
    return [(year, year) for year in years]


def speaker_choices() -> list[tuple[str, str]]:
    """Speakers of published statements: each person once, by their slug, whatever
    spellings the pages printed ("Taro Kono", "Foreign Minister KONO Taro"), and the
    speaker lines that name no person, as printed; in the lines' order."""
    return list({value: label for _line, value, label in speakers().lines}.items())


# The filters whose value is a column of the rows ``per_year_kind_and_speaker()`` gives,
# by the column's place in them.
GROUPED_COLUMNS = {"year": 0, "kind": 1}


class Listed(NamedTuple):
    """A filtered list's statements grouped once (``StatementFilter.listed``)."""

    per_year_by_kind: list[tuple[int, str, int]]  # by year, as per_year_by_kind() gives
    speakers: list[tuple[int | None, str, int]]  # (person id, speaker, n), as _speakers
    count: int | None  # None: the whole archive, whose number the database keeps


def _summed(rows: list[tuple[int, str, int | None, str, int]]) -> Listed:
    """Statements grouped as ``per_year_kind_and_speaker()`` gives them, summed per (year,
    kind) and per speaker."""
    per_year_by_kind: Counter[tuple[int, str]] = Counter()
    per_speaker: Counter[tuple[int | None, str]] = Counter()
    for year, kind, person, speaker, n in rows:
        per_year_by_kind[year, kind] += n
        if speaker:
            per_speaker[person, speaker] += n
    return Listed(
        per_year_by_kind=[(year, kind, n) for (year, kind), n in per_year_by_kind.items()],
        speakers=[(person, speaker, n) for (person, speaker), n in per_speaker.items()],
        count=per_year_by_kind.total(),
    )


class Speakers(NamedTuple):
    """Who spoke the published statements: the slugs of the people by id, and every
    printed speaker line with its choice (``speaker_lines``)."""

    person_slugs: dict[int, str]
    lines: list[tuple[str, str, str]]


def speakers() -> Speakers:
    return caching.per_generation("speakers", _speakers_read)


def _speakers_read() -> Speakers:
    people = speaking_people()
    return Speakers({person.pk: person.slug for person in people}, speaker_lines(people))


def speaking_people() -> list[Person]:
    """The people who spoke a published statement (what ``speaker_lines`` matches)."""
    return list(
        Person.objects.filter(
            Exists(Statement.objects.published().filter(person=OuterRef("pk")))
        ).only("pk", "slug", "name", "spellings")
    )


def speaker_lines(people: list[Person] | None = None) -> list[tuple[str, str, str]]:
    """(line, value, label) for every printed speaker line of a published statement:
    the person's slug and name when the line names one (matched as the importer matches,
    statements.importing.people), else the line itself. Two queries: the people who
    spoke (unless given, as ``speaking_people()``), and the lines (an index seek each)."""
    if people is None:
        people = speaking_people()
    index = PeopleIndex()
    for person in people:
        index.add(person, person.all_spellings)
    rows = []
    for line in search.published_speakers():
        name = printed_name(line)
        person = index.match(name) if name else None
        rows.append((line, person.slug, person.name) if person else (line, line, line))
    return rows


def cited_resolutions() -> list[Resolution]:
    """Every resolution a published paragraph cites, newest first, with its count."""
    return list(Resolution.objects.cited().order_by("-number"))


def resolution_choices() -> list[tuple[int, str]]:
    return [(number, label) for _pk, number, label in cited_resolution_rows()]


def cited_resolution_rows() -> list[tuple[int, int, str]]:
    """(id, number, label) of every cited resolution, newest first: the choices, and the
    numbers of the ids the counts are grouped by."""
    return caching.per_generation("cited-resolution-rows", _cited_resolution_rows)


def _cited_resolution_rows() -> list[tuple[int, int, str]]:
    # Three columns, not every cited Resolution built as a model (300 of them per form).
    rows = Resolution.objects.cited().order_by("-number").values_list("pk", "number", "symbol")
    return [(pk, number, Resolution.symbol_of(symbol, number)) for pk, number, symbol in rows]


class _ChoicesAsGiven(django_filters.fields.ChoiceIterator):
    """django-filter's choices, a list of (value, label) pairs kept as given, as the
    search form's are (``_ListedChoices``): validating the form and writing the <select>
    each walked 300 resolutions' choices through Django's ``normalize_choices`` (a
    millisecond of the statement list), and normalising them once when set, as
    ``count_choices`` sets them four times a request, was still half of that. Plain pairs
    only; a callable's are normalised as they are read."""

    def __init__(self, field: forms.Field, choices: Any) -> None:
        super().__init__(field, list(choices) if isinstance(choices, tuple) else choices)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if not isinstance(self.choices, list):  # a callable's, normalised as it is read
            yield from super().__iter__()
            return
        # What django-filter's iterator puts first, then the list as it is.
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.choices


class _FacetField(django_filters.fields.ChoiceField):
    """A choice field whose form copy shares its choices: a form deep-copies every field
    it is built with, and copying 300 resolutions' choices for each request was a twentieth
    of the statement list; ``count_choices`` replaces them with a new list, never changes
    them in place."""

    iterator = _ChoicesAsGiven

    def __deepcopy__(self, memo: dict) -> _FacetField:
        # forms.Field's copy (widget, messages, validators), not ChoiceField's.
        return forms.Field.__deepcopy__(self, memo)


class FacetFilter(django_filters.ChoiceFilter):
    field_class = _FacetField


class _FiltersCopiedShallow(dict):
    """A FilterSet's declared filters, which django-filter deep-copies for each FilterSet
    (each request) before it gives every copy its FilterSet: walking every label and
    choice list as it did was 5% of the statement list's instructions. Each filter is
    copied alone, with its own ``extra`` (what builds its field) and its ``method`` bound
    to the copy, as a deep copy leaves them; the rest is set once, as declared."""

    def __deepcopy__(self, memo: dict) -> dict[str, django_filters.Filter]:
        return {name: _own_copy(filter_) for name, filter_ in self.items()}


def _own_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    if filter_.method is not None:
        copied.method = filter_.method  # a FilterMethod of the copy, not of the original
    return copied


class FormBuiltOnce:
    """A FilterSet whose form class is built once, from its filters as declared: django-filter
    builds one for every FilterSet, through Django's form metaclass (4% of the statement,
    meeting and resolution lists' instructions). So a filter's field must be the same for
    every request; what a request changes (the statement list's choices) it sets on its
    form's own fields."""

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        # What the metaclass keeps as ``base_filters``, which each FilterSet copies.
        return _FiltersCopiedShallow(super().get_filters())

    @classmethod
    @functools.cache
    def built_form_class(cls) -> type[forms.Form]:
        # From copies: a filter's field, once built, is kept on it, and the filters a
        # FilterSet copies for each request would then copy it too.
        filters = copy.deepcopy(cls.base_filters)
        fields = {name: filter_.field for name, filter_ in filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self) -> type[forms.Form]:
        return self.built_form_class()


class StatementFilter(FormBuiltOnce, django_filters.FilterSet):
    """Year, kind, speaker and cited resolution; they combine, and live in the URL."""

    # Each filter narrows by the keys its value stands for (``step()``), so that a page
    # of the list can be read from SQL compiled once per filters chosen (``page()``).
    year = FacetFilter(
        label=_("Year"), choices=year_choices, empty_label=_("Any year"), method="narrow"
    )
    kind = FacetFilter(
        label=_("Kind"), choices=Statement.Kind.choices, empty_label=_("Any kind"), method="narrow"
    )
    speaker = FacetFilter(
        label=_("Speaker"), choices=speaker_choices, empty_label=_("Any speaker"), method="narrow"
    )
    resolution = FacetFilter(
        label=_("Cites resolution"),
        choices=resolution_choices,
        empty_label=_("Any resolution"),
        method="narrow",
    )

    class Meta:
        model = Statement
        fields = ["year", "kind", "speaker", "resolution"]

    def __init__(self, data=None, *args, **kwargs):
        self.person_slugs, lines = speakers()  # counts group by person id, choices by slug
        self.people = {value for line, value, _label in lines if value != line}
        named = {line: value for line, value, _label in lines if value != line}
        if data is not None and data.get("speaker") in named:
            # An address from before people: the printed line means its person.
            data = data.copy()
            data["speaker"] = named[data["speaker"]]
        super().__init__(data, *args, **kwargs)
        self._groupings: dict[str, list[tuple]] = {}  # ``_grouping``
        resolutions = cited_resolution_rows()
        self.resolution_numbers = {pk: number for pk, number, _label in resolutions}
        self.resolution_ids = {number: pk for pk, number, _label in resolutions}
        # Read once: a callable would query again to validate and to render. Set on the
        # form's fields as it is built (``form``).
        self._choices = {
            "speaker": list({value: label for _line, value, label in lines}.items()),
            "year": year_choices(),
            "resolution": [(number, label) for _pk, number, label in resolutions],
        }

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            for name, choices in self._choices.items():
                form.fields[name].choices = choices
        return self._form

    def narrow(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return narrowed(queryset, *self.step(name, value))

    def step(self, name: str, value: Any) -> tuple[str, list[Any]]:
        """What a filter's (valid) value keeps: a step of ``narrowed()`` and its keys."""
        if name == "year":
            year = int(value)
            return "dated", [dt.date(year, 1, 1), dt.date(year, 12, 31)]
        if name == "speaker":  # a person: every spelling they were printed with
            return ("person" if value in self.people else "speaker"), [value]
        if name == "resolution":
            # A choice, so cited: its id is known (the list and its feed list published ones).
            return "resolution", [self.resolution_ids[int(value)]]
        return name, [value]

    def page(self, listed: Callable[[], QuerySet], start: int, stop: int) -> list[Statement]:
        """``qs[start:stop]`` of the statements ``listed()`` gives, from SQL compiled once
        per filters chosen and page: building and compiling the read of a filtered page
        was a fifth of the list (0.9 of 4.7 ms)."""
        steps = [self.step(name, value) for name, value in self.chosen().items()]
        kinds = tuple(step for step, _keys in steps)
        return compiled_rows(_page, (listed, kinds, start, stop), *(keys for _s, keys in steps))

    def _kept(self, chosen: dict[str, Any], statements: QuerySet | None = None) -> QuerySet:
        """The statements (the list's, unless given) that these filters' values keep."""
        statements = self.queryset if statements is None else statements
        for name, value in chosen.items():
            statements = self.narrow(statements, name, value)
        return statements

    def chosen(self) -> dict[str, Any]:
        """The filters the list applies: the valid ones not left empty, as ``qs`` does."""
        if not self.is_bound:
            return {}
        self.errors  # noqa: B018 - validates the form, as ``qs`` does first
        return {k: v for k, v in self.form.cleaned_data.items() if v not in EMPTY_VALUES}

    @functools.cached_property
    def archive_counts(self) -> dict[str, list[tuple]]:
        """Every published statement counted by each filter (``published_counts()``), for
        the counts of a filter whose others are all free."""
        return published_counts()

    def archive_listed(self) -> Listed:
        """Every published statement as ``listed()`` groups a list (the number is the
        list's tally)."""
        archive = self.archive_counts
        return Listed(archive["per_year_by_kind"], archive["speaker"], count=None)

    def listed(self) -> Listed:
        """The statements the list shows (``qs``), grouped once: their chart, their number
        and, for each filter left free, its counts. Unfiltered, the whole archive's, kept
        per change of the content (``archive_counts``; the number is the list's tally).
        Grouping grows with what is listed, so the grouping of one filter's statements is
        kept per change of the content, as the counts of one narrowing are, and a list
        narrowed by a year or a kind too is its rows of it (``_kept_grouping``); the
        speaker and the resolution chosen together list few."""
        chosen = self.chosen()
        if not chosen:
            return self.archive_listed()
        rows = self._kept_grouping(chosen)
        if rows is None and "year" in chosen and connection.vendor == "postgresql":
            # The speaker and the resolution are chosen too.
            rows = self._within_the_year(chosen).per_year_kind_and_speaker()
        elif rows is None:
            rows = self.qs.per_year_kind_and_speaker()
        return _summed(rows)

    def _kept_grouping(self, chosen: dict[str, Any]) -> list[tuple] | None:
        """The listed statements grouped, from the grouping of one filter's statements kept
        per change of the content, cut to the year and kind chosen with it, which are
        columns of the grouping: a year's statements citing a resolution are the rows of
        that year in the resolution's, a query of the whole year's statements otherwise
        (4.7 ms for the bench's most cited resolution in 2020 at 100,000 statements). None
        when the speaker and the resolution are both chosen, which no grouping has."""
        cuts = {name: str(value) for name, value in chosen.items() if name in GROUPED_COLUMNS}
        rest = [name for name in chosen if name not in GROUPED_COLUMNS]
        if len(rest) > 1:
            return None
        # A year holds fewer statements than a kind.
        base = rest[0] if rest else ("year" if "year" in cuts else next(iter(cuts)))
        cuts.pop(base, None)
        return [
            row
            for row in self._grouping(base, chosen[base])
            if all(str(row[GROUPED_COLUMNS[name]]) == cut for name, cut in cuts.items())
        ]

    def _grouping(self, name: str, value: Any) -> list[tuple]:
        """The statements one filter's value lists, grouped (``per_year_kind_and_speaker``)
        and kept per change of the content: read once for the list and its counts, which
        cut the same grouping two or three ways."""
        key = f"statements-listed:{name}={value}"
        if key not in self._groupings:
            # The statements' read built only when the generation's grouping is not kept.
            self._groupings[key] = caching.per_generation(
                key,
                lambda: self._kept({name: value}).per_year_kind_and_speaker(),
            )
        return self._groupings[key]

    def _within_the_year(self, chosen: dict[str, Any]) -> QuerySet[Statement]:
        """The statements ``qs`` lists when a year and a resolution are chosen, the
        resolution's citations looked up on that year's days only (a citation carries its
        statement's date): to group them, PostgreSQL otherwise joined the year's
        statements to every citation of the resolution, 68,000 for the most cited at
        100,000 statements (15.7 ms against 3.1). Not for the page's twenty rows in order:
        there the dates led PostgreSQL's plan for any values (a prepared query's) to read
        every citation of the year first (0.7 ms to 3-4). PostgreSQL only: SQLite, which
        seeks each statement's citation in the (resolution, statement) index, took the
        dates as the better range of another and walked the year's citations for each
        statement (0.2 ms to 1.7 at 5,000 statements)."""
        _dated, days = self.step("year", chosen["year"])
        _cited, (resolution,) = self.step("resolution", chosen["resolution"])
        statements = self.queryset.published_citing(resolution, tuple(days))
        rest = {name: value for name, value in chosen.items() if name != "resolution"}
        return self._kept(rest, statements)

    def count_choices(self, listed: Listed) -> None:
        """Label every choice with how many published statements it would list, the other
        filters as chosen ("2017 (12)"): one grouped count per filter, whatever the number
        of values. Call once the list is filtered (the form is then validated).

        ``listed``: the listed statements grouped, as ``listed()`` gives them. With no
        year chosen, the year counts are their sums per year, with no kind chosen, the
        kind counts their sums per kind, and with no speaker chosen, the speaker counts
        are theirs: the same statements, without a query of their own. A filter whose
        others are all free counts the whole archive, read once per change of the content
        (``archive_counts``). The year, kind and speaker counts of a list whose other
        filters are one filter and a year or a kind are the sums of that filter's grouping,
        kept as ``listed()`` keeps it (``_kept_grouping``)."""
        chosen = self.chosen()
        for name, counted in FACETS.items():
            others = {other: value for other, value in chosen.items() if other != name}
            if name in SUMMED and name not in chosen:
                counts = SUMMED[name](self, listed)
            elif not others and name in SUMMED:
                counts = SUMMED[name](self, self.archive_listed())
            elif not others:
                counts = KEYED[name](self, self.archive_counts[name])
            elif name in SUMMED and (kept := self._kept_grouping(others)) is not None:
                counts = SUMMED[name](self, _summed(kept))
            else:
                narrowing = [f"{other}={value}" for other, value in others.items()]
                count = functools.partial(self._count_narrowed, counted, others)
                if len(narrowing) == 1:
                    # One other filter (a resolution's statements per year, a year's per
                    # resolution): as much of the archive as that value holds, counted once
                    # per change of the content, and its read built only then.
                    rows = caching.per_generation(f"statement-counts:{name}:{narrowing[0]}", count)
                else:
                    rows = count()
                counts = KEYED[name](self, rows)
            field = self.form.fields[name]
            # The field puts its empty label ("Any year") first by itself.
            field.choices = [
                (value, f"{label} ({counts.get(str(value), 0)})")
                for value, label in field.choices
                if value != ""
            ]

    def inputs(self, listed: Listed) -> dict[str, SafeString]:
        """Each filter's control (``filter_input``), its choices counted (``count_choices``)
        for the statements ``listed`` (as ``listed()`` gives them). With every value valid,
        they are the same for the same values until the content changes, so they are
        written once per change of the content for the values given, not for every page:
        counting and writing 311 options were 30% of the statement list's instructions (a
        list's pages share them all). A form with errors writes its own."""
        if self.form.errors:  # an unbound form has none
            return self._inputs(listed)
        given = repr(tuple(self.form[name].value() for name in self.form.fields))
        # A digest: a speaker's value is a printed line (spaces, any length).
        digest = hashlib.sha256(given.encode()).hexdigest()[:32]
        return caching.per_generation(
            f"statement-filter-inputs:{get_language()}:{digest}",
            functools.partial(self._inputs, listed),
        )

    def _inputs(self, listed: Listed) -> dict[str, SafeString]:
        # Here: the template functions read the feeds, which read this module.
        from statements.pages.templatetags import filter_input

        self.count_choices(listed)
        return {name: filter_input(self.form[name]) for name in self.form.fields}

    def _count_narrowed(self, counted: Callable, others: dict[str, Any]) -> list[tuple]:
        """``counted`` of the published statements the other filters chosen keep."""
        return counted(self._kept(others), True)


def narrowed(statements: QuerySet, step: str, keys: list[Any]) -> QuerySet:
    """The statements one filter keeps, by a step and its keys (``StatementFilter.step``):
    each key a parameter of the SQL, so that a read of them compiles once."""
    if step == "dated":
        first, last = keys
        return statements.filter(date__range=(first, last))
    (key,) = keys
    if step == "resolution":
        return statements.published_citing(key)
    if step in ("kind", "speaker"):
        return statements.filter(**{step: key})
    if step == "person":
        return statements.filter(person__slug=key)
    raise ValueError(f"No step of a statement filter is called {step!r}.")


def _page(
    listed: Callable[[], QuerySet], steps: tuple[str, ...], start: int, stop: int, *keys: list
) -> QuerySet:
    """``StatementFilter.page``'s read: what ``listed()`` gives, narrowed by each step."""
    statements = listed()
    for step, values in zip(steps, keys, strict=True):
        statements = narrowed(statements, step, values)
    return statements[start:stop]


def published_counts() -> dict[str, list[tuple]]:
    """Every published statement counted per (year, kind) (as ``per_year_by_kind()``),
    per speaker and per cited resolution: what the unfiltered list shows, and the counts
    of a filter chosen alone. Grouping the whole archive grows with it, so it is read once
    per change of the content (``caching.per_generation``), not for every page."""
    return caching.per_generation("published-statement-counts", _count_published)


def _count_published() -> dict[str, list[tuple]]:
    published = Statement.objects.published()
    return {
        # The home page's chart too: grouped once, kept under its own name.
        "per_year_by_kind": published_per_year_by_kind(),
        "speaker": _speakers(published, False),
        "resolution": _resolutions(published, False),
    }


def published_per_year_by_kind() -> list[tuple[int, str, int]]:
    """Every published statement per (year, kind): the home page's chart and the list's,
    read once per change of the content."""
    return caching.per_generation(
        "published-per-year-by-kind", Statement.objects.published().per_year_by_kind
    )


# Each filter's counts, grouped in the database: plain rows, which the cache can keep.


def _grouped(statements: QuerySet, column: str) -> list[tuple[Any, int]]:
    # order_by(): the default order would join the GROUP BY.
    return list(statements.order_by().values_list(column).annotate(n=Count("pk")))


def _years(statements: QuerySet, narrowed: bool) -> list[tuple[str, int]]:
    return _grouped(statements.annotate(year=year_of("date")), "year")


def _kinds(statements: QuerySet, narrowed: bool) -> list[tuple[str, int]]:
    return _grouped(statements, "kind")


def _speakers(statements: QuerySet, narrowed: bool) -> list[tuple[int | None, str, int]]:
    # Grouped by the person's id, which the (status, speaker, person) index holds: joining
    # each statement's person to group by slug read every row.
    rows = statements.exclude(speaker="").order_by().values_list("person_id", "speaker")
    return list(rows.annotate(n=Count("pk")))


def _resolutions(statements: QuerySet, narrowed: bool) -> list[tuple[int, int]]:
    # Statements, not paragraphs, citing each: from the index of published citations,
    # which holds only published statements (so unfiltered, no join to them), grouped by
    # the resolution's id as its (resolution, statement) index is read.
    citations = PublishedCitation.objects.all()
    if narrowed:
        citations = citations.filter(statement__in=statements.values("pk"))
    return list(
        citations.order_by()
        .values_list("resolution_id")
        .annotate(n=Count("statement_id", distinct=True))
    )


# What each filter's counts are grouped by.
FACETS: dict[str, Callable[[QuerySet, bool], list[tuple]]] = {
    "year": _years,
    "kind": _kinds,
    "speaker": _speakers,
    "resolution": _resolutions,
}


def _speakers_keyed(filterset: StatementFilter, rows: list[tuple]) -> dict[str, int]:
    # A person's statements count together, under their slug; a line naming nobody alone.
    counts: dict[str, int] = {}
    for person, speaker, n in rows:
        key = filterset.person_slugs.get(person) or speaker
        counts[key] = counts.get(key, 0) + n
    return counts


def _resolutions_keyed(filterset: StatementFilter, rows: list[tuple]) -> dict[str, int]:
    numbers = filterset.resolution_numbers
    return {str(numbers[pk]): n for pk, n in rows if pk in numbers}


# Each filter's rows as counts by the choices' values.
KEYED: dict[str, Callable[[StatementFilter, list[tuple]], dict[str, int]]] = {
    "year": lambda filterset, rows: {str(value): n for value, n in rows},
    "kind": lambda filterset, rows: {str(value): n for value, n in rows},
    "speaker": _speakers_keyed,
    "resolution": _resolutions_keyed,
}


def _years_listed(listed: list[tuple[int, str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for year, _kind, n in listed:
        counts[str(year)] = counts.get(str(year), 0) + n
    return counts


def _kinds_listed(listed: list[tuple[int, str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _year, kind, n in listed:
        counts[kind] = counts.get(kind, 0) + n
    return counts


# The counts that statements grouped and summed (``Listed``) give, by the choices' values.
SUMMED: dict[str, Callable[[StatementFilter, Listed], dict[str, int]]] = {
    "year": lambda filterset, listed: _years_listed(listed.per_year_by_kind),
    "kind": lambda filterset, listed: _kinds_listed(listed.per_year_by_kind),
    "speaker": lambda filterset, listed: _speakers_keyed(filterset, listed.speakers),
}


class MeetingFilter(FormBuiltOnce, django_filters.FilterSet):
    """Kind, a participant and a range of dates, named as the API's meeting filters; they
    combine, and live in the URL."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Meeting.Kind.choices, empty_label=_("Any kind")
    )
    participant = django_filters.CharFilter(
        label=_("Participant"),
        method="filter_participant",
        help_text=_("Part of a name; accents and case are ignored."),
    )
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), input_formats=["%Y-%m-%d"]
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), input_formats=["%Y-%m-%d"]
    )

    class Meta:
        model = Meeting
        fields = ["kind", "participant", "date_after", "date_before"]

    def filter_participant(self, queryset, name, value):
        # As the API's: the accent-free key kept beside each name ("Antonio" finds "António").
        return queryset.filter(participants__name_search__contains=search_key(value)).distinct()

    def count_choices(self) -> None:
        """Label each kind with how many meetings it would list, the other filters as
        chosen: one grouped count."""
        chosen: dict[str, Any] = {}
        if self.is_bound:  # (a page number alone: the list is not filtered, nor the form read)
            self.form.is_valid()  # cleaned once: its valid values, when not all are
            chosen = self.form.cleaned_data
        others = self.queryset
        narrowed = False
        for name, value in chosen.items():
            if name != "kind" and value not in EMPTY_VALUES:
                others = self.filters[name].filter(others, value)
                narrowed = True
        if narrowed:
            counts = dict(_meeting_kinds(others))
        else:  # every public meeting: counted once per change of the content
            counts = dict(caching.per_generation("public-meeting-kinds", self._public_kinds))
        field = self.form.fields["kind"]
        field.choices = [
            (value, f"{label} ({counts.get(value, 0)})")
            for value, label in field.choices
            if value != ""
        ]

    def _public_kinds(self) -> list[tuple[str, int]]:
        return _meeting_kinds(self.queryset)


def _meeting_kinds(meetings: QuerySet) -> list[tuple[str, int]]:
    # Distinct: a participant's filter joins a meeting's participants.
    return list(meetings.order_by().values_list("kind").annotate(n=Count("pk", distinct=True)))


class OrderingFilter(django_filters.OrderingFilter):
    # "," or "number," is an error shown on the form, as an unknown order is, not the
    # model's default order.
    base_field_class = OrderingField


class ResolutionFilter(FormBuiltOnce, django_filters.FilterSet):
    """Adoption dates and the order, named as the API's resolution filters."""

    adopted_after = django_filters.DateFilter(
        field_name="adopted_on",
        lookup_expr="gte",
        label=_("Adopted from"),
        input_formats=["%Y-%m-%d"],
    )
    adopted_before = django_filters.DateFilter(
        field_name="adopted_on",
        lookup_expr="lte",
        label=_("Adopted to"),
        input_formats=["%Y-%m-%d"],
    )
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("adopted_on", "adopted_on"),
            ("citation_count", "citations"),
        ),
        field_labels={
            "number": _("Number"),
            "adopted_on": _("Adoption"),
            "citation_count": _("Citations"),
        },
        empty_label=_("Newest number first"),
    )

    class Meta:
        model = Resolution
        fields = ["adopted_after", "adopted_before", "ordering"]


class _ListedChoices:
    """A choice field whose choices are a list of (value, label) pairs, kept as given:
    Django's setter normalises every pair (for groups, callables and enums), for the field
    and again for its widget, which was most of the search form's time (300 resolutions,
    set twice a request). Plain pairs only."""

    @property
    def choices(self) -> list[tuple[Any, Any]]:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        # The widget's own attribute, which its setter would normalise again.
        self._choices = self.widget._choices = list(value)


class _ListedChoiceField(_ListedChoices, forms.ChoiceField):
    pass


class _ListedTypedChoiceField(_ListedChoices, forms.TypedChoiceField):
    pass


def _label(label: Any, count: int, at_least: str | None) -> str:
    """``label (count)``; with ``at_least`` (the translated "at least" form), a lower
    bound, and no count where none was read."""
    if at_least is None:
        return f"{label} ({count})"
    if not count:
        return str(label)
    return at_least % {"label": label, "count": count}


class SearchForm(forms.Form):
    """What the search page reads from its URL: the query, the filters, the order and a
    range of dates (``from``, ``to``; Python keywords, so the fields are added by name)."""

    q = forms.CharField(label=_("Search the archive"), required=False)
    year = _ListedTypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    kind = _ListedChoiceField(label=_("Kind"), required=False)
    resolution = _ListedTypedChoiceField(
        label=_("Cites resolution"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (search.RELEVANCE, _("Relevance")),
            (search.NEWEST, _("Newest first")),
            (search.OLDEST, _("Oldest first")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both kept per change of the content (year_choices, cited_resolution_rows).
        self.fields["year"].choices = [("", _("Any year")), *year_choices()]
        self.fields["kind"].choices = [("", _("Any kind")), *Statement.Kind.choices]
        self.fields["resolution"].choices = [("", _("Any resolution")), *resolution_choices()]
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, help_text=_("YYYY-MM-DD"), input_formats=["%Y-%m-%d"]
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, help_text=_("YYYY-MM-DD"), input_formats=["%Y-%m-%d"]
        )

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last and first > last:
            self.add_error("to", _("The end of the range comes before its start."))
        return data

    def count_choices(self, facets: search.Facets) -> None:
        """Label each year, kind and resolution with the matching paragraphs choosing it
        would give, the other filters as chosen ("2017 (12)"); when the search matched
        more than it reads, the counts are lower bounds and say so ("2017 (at least 12)",
        no count where none was read)."""
        # Translated once, not for each of 300 resolutions.
        at_least = gettext("%(label)s (at least %(count)s)") if facets.at_least else None
        for name in ("year", "kind", "resolution"):
            counts = {str(value): n for value, n in getattr(facets, name).items()}
            field = self.fields[name]
            field.choices = [
                (value, _label(label, counts.get(str(value), 0), at_least))
                for value, label in field.choices
                if value != ""
            ]

    def filters(self) -> search.Filters:
        """The search's filters, from a valid form."""
        data = self.cleaned_data
        return search.Filters(
            year=data["year"],
            kind=data["kind"] or None,
            resolution_id=search.resolution_pk(data["resolution"]),
            date_after=data["from"],
            date_before=data["to"],
        )
