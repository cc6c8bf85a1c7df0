"""How many hits each value of the search page's filters would give, the other chosen
filters applied: bounded work, whatever the size of the archive.

A text search is read once more without the year, kind and resolution (the dates stay,
the engines apply them), unless none is chosen and the page's own read serves; its places
(at most ``MAX_HITS + 1`` read, more only when titles and speakers add some) are counted
per value from two queries over their statements. When that read was cut short, the
counts are of the hits read: lower bounds, and ``at_least`` says so.

A resolution's citing paragraphs are counted exactly, one grouped query per filter over
the index of published citations, as ``CitingParagraphs.count()`` counts them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import CharField, Count, F, QuerySet
from django.db.models.functions import Cast, Left

from mofa_site import caching
from statements import derived
from statements.models import (
    PublishedCitation,
    Statement,
    published_statement_citations,
    rows_by_key,
)
from statements.search.reading import (
    NEWEST,
    OLDEST,
    Answer,
    CitingParagraphs,
    Filters,
    ParagraphSearch,
    _narrowed,
)


@dataclass(frozen=True)
class Facets:
    """Hits per year, per kind and per cited resolution's number; ``at_least``: the
    counts are lower bounds (the search matched more than it reads)."""

    year: dict[int, int] = field(default_factory=dict)
    kind: dict[str, int] = field(default_factory=dict)
    resolution: dict[int, int] = field(default_factory=dict)
    at_least: bool = False


def _without_choices(filters: Filters) -> Filters:
    return dataclasses.replace(filters, year=None, kind=None, resolution_id=None)


def search_facets(answer: Answer, filters: Filters) -> Facets:
    """The counts for the answer the page shows, searched with ``filters``."""
    if isinstance(answer.hits, CitingParagraphs):
        if filters == Filters():
            # Every citation of the resolution (68,000 of the most cited one at 100,000
            # statements): counted once per change of the content.
            return caching.per_generation(
                f"citing-facets:{answer.hits.resolution.pk}",
                functools.partial(_citing_facets, answer.hits, filters),
            )
        return _citing_facets(answer.hits, filters)
    hits = answer.hits
    base = _without_choices(filters)
    if base != filters:
        # Unranked: the set of hits is the same, without weighing the words.
        hits = ParagraphSearch(hits.query, base, OLDEST if hits.oldest else NEWEST)
    return _place_facets(hits.found, hits.more, filters)


# The places' statements and their citations, read by an aliased key (``rows_by_key``):
# 0.3 + 0.65 ms a page built each time, 0.24 + 0.42 built once, and compiled once for as
# many statements, as a repeated search has them.
def _statement_kinds() -> QuerySet:
    statements = Statement.objects.alias(key=F("pk")).order_by()
    return statements.values_list("pk", "date", "kind")


def _place_facets(places: list, capped: bool, chosen: Filters) -> Facets:
    per_statement = Counter(statement_id for _day, statement_id, _position in places)
    if not per_statement:
        return Facets(at_least=capped)
    ids = list(per_statement)
    statements = rows_by_key(_statement_kinds, (), ids)
    cites: dict[int, dict[int, int]] = defaultdict(dict)  # statement: {resolution pk: number}
    citations = rows_by_key(published_statement_citations, ("id", "number"), ids)
    for statement_id, resolution_id, number in citations:
        cites[statement_id][resolution_id] = number
    years: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    resolutions: Counter[int] = Counter()
    for pk, date, kind in statements:
        n = per_statement[pk]
        year_ok = chosen.year is None or date.year == chosen.year
        kind_ok = not chosen.kind or kind == chosen.kind
        cited_ok = chosen.resolution_id is None or chosen.resolution_id in cites[pk]
        if kind_ok and cited_ok:
            years[date.year] += n
        if year_ok and cited_ok:
            kinds[kind] += n
        if year_ok and kind_ok:
            for number in cites[pk].values():
                resolutions[number] += n
    return Facets(dict(years), dict(kinds), dict(resolutions), capped)


def _citing_facets(hits: CitingParagraphs, chosen: Filters) -> Facets:
    def citations(**dropped: None):
        cited = PublishedCitation.objects.filter(resolution=hits.resolution)
        return _narrowed(cited, dataclasses.replace(chosen, **dropped), "statement_id").order_by()

    # The date's first four characters, as the statement list counts its years.
    years = (
        citations(year=None)
        .annotate(year=Left(Cast("date", CharField()), 4))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    kinds = citations(kind=None).values_list("statement__kind").annotate(n=Count("pk"))
    return Facets(
        {int(year): n for year, n in years},
        dict(kinds),
        _cited_together(citations(resolution_id=None)),
    )


def _cited_together(citations) -> dict[int, int]:
    """Per resolution number, the citations among ``citations`` whose statement cites
    it: the citations per statement, joined to each statement's distinct resolutions."""
    per_statement, params = (
        citations.values("statement_id").annotate(n=Count("pk")).query.sql_with_params()
    )
    sql = f"""
        SELECT r.number, SUM(x.n) FROM ({per_statement}) x
        JOIN (
            SELECT statement_id, resolution_id FROM {derived.INDEXED}
            WHERE statement_id IN (SELECT statement_id FROM ({per_statement}) y)
            GROUP BY statement_id, resolution_id
        ) o ON o.statement_id = x.statement_id
        JOIN {derived.RESOLUTION} r ON r.id = o.resolution_id
        GROUP BY r.number
    """
    with connections[citations.db].cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        return {number: int(n) for number, n in cursor.fetchall()}
