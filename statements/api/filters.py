"""One FilterSet per resource. Every parameter is typed for the schema; unknown parameters
and invalid values are a 400 naming the parameter, never a silently unfiltered list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from statements import search
from statements.api.pagination import COMMON_PARAMETERS, PageNumberPagination
from statements.form_fields import OrderingField
from statements.models import (
    MAX_RESOLUTION_NUMBER,
    Meeting,
    Paragraph,
    Resolution,
    Statement,
    cited_resolution,
    search_key,
)

# Parameters that leave a list as long as it was (its count can be the tally's).
NOT_NARROWING = COMMON_PARAMETERS | {"ordering"}


class IntegerFilter(filters.NumberFilter):
    """A whole number within bounds (NumberFilter takes decimals, and a year beyond 9999
    would reach the database as an impossible date)."""

    field_class = forms.IntegerField

    def __init__(self, *args, minimum: int, maximum: int, help_text: str, **kwargs) -> None:
        kwargs.update(min_value=minimum, max_value=maximum, help_text=help_text)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
        extend_schema_field({**schema, "description": str(help_text)})(self)


class StrictFilterSet(filters.FilterSet):
    """Refuses query parameters it does not know."""

    extra_parameters: frozenset[str] = frozenset()

    @classmethod
    def allowed_parameters(cls) -> set[str]:
        return set(cls.base_filters) | COMMON_PARAMETERS | cls.extra_parameters


class StrictFilterBackend(filters.DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        # Kept for the paginator, which says whether a search found more (``more``).
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset

    def filter_queryset(self, request, queryset, view):
        paginator = getattr(view, "paginator", None)
        if getattr(view, "action", None) == "list" and isinstance(paginator, PageNumberPagination):
            paginator.requested_page(request)  # a page never served: refused before any search
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and issubclass(filterset_class, StrictFilterSet):
            allowed = ", ".join(sorted(filterset_class.allowed_parameters()))
            unknown = sorted(set(request.query_params) - filterset_class.allowed_parameters())
            if unknown:
                message = _("Unknown query parameter. This list understands: %(allowed)s.")
                raise ValidationError({name: [message % {"allowed": allowed}] for name in unknown})
        if set(request.query_params) <= COMMON_PARAMETERS:
            # No filter given, so none applies: the queryset as it is, without building a
            # FilterSet and its form (a fifth of an unfiltered list's time).
            return queryset
        return super().filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """Breaks ties with the list's default order, then the primary key, so that pages
    never overlap or skip a record."""

    base_field_class = OrderingField

    def filter(self, qs, value):
        default = qs.query.order_by or qs.model._meta.ordering
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, *default, "pk") if value else qs


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (also 1/0); anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(
                _("Must be true or false, not %(value)r."), params={"value": value}, code="invalid"
            ) from None


class BooleanFilter(django_filters.BooleanFilter):
    # The plain filter: the DRF flavour's widget turns unknown values into "no filter".
    field_class = StrictBooleanField


class SearchFilter(filters.CharFilter):
    """Full-text ``q``, through the search the public site uses (statements/search/);
    its FilterSet (a ``SearchFilterSet``) says how.

    Longer queries are refused rather than cut as the search page cuts them: a client
    should know that its query was not run as sent."""

    def __init__(self, *, help_text: str) -> None:
        super().__init__(max_length=search.MAX_QUERY_LENGTH, help_text=help_text)
        schema = {"type": "string", "maxLength": search.MAX_QUERY_LENGTH}
        extend_schema_field({**schema, "description": str(help_text), "example": "abductions"})(
            self
        )

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return self.parent.search(qs, value)


class SearchFilterSet(StrictFilterSet):
    """A FilterSet with ``q``: the search reads the newest matches only, as the search
    page does (at most ``search.MAX_HITS`` paragraphs), with the filters it can apply
    while reading; the other filters then narrow what it found. ``more`` says that it
    matched more than it read: the list is then the newest matches, in that order only."""

    more = False
    found: search.Newest | None = None
    # The parameters the search applies while it reads, exactly as the filters do.
    searched_parameters: frozenset[str] = frozenset()

    def newest(self, query: str, data: dict) -> search.Newest:
        raise NotImplementedError

    def known_count(self) -> int | None:
        """The list's length as the search found it, when no other filter narrows it (a
        count of the ids would make SQLite walk every published statement)."""
        given = set(self.data) - NOT_NARROWING - self.searched_parameters
        return None if self.found is None or given else len(self.found.ids)

    def search(self, queryset: QuerySet, query: str) -> QuerySet:
        newest = self.found = self.newest(query, self.form.cleaned_data)
        self.more = newest.more
        # With more matches than it read, ``ordering`` orders the newest ones it serves.
        return queryset.filter(pk__in=newest.ids)


SEARCH_SYNTAX = _(
    "All the words must appear, in any form (`sanction` finds `sanctions`), ignoring case "
    'and accents; `"a phrase"` in double quotes; `or` between alternatives; `-word` to '
    "exclude. Other punctuation and other engines' operators are ignored, not an error."
)


SEARCH_BOUND = format_lazy(
    _(
        "A search reads the {} newest matching paragraphs (and as many titles) at most; when "
        "there are more, the response says `more: true` and serves those (`ordering` orders "
        "them): the other filters narrow the search to reach older ones."
    ),
    f"{search.MAX_HITS:,}",
)


def resolution_filter() -> IntegerFilter:
    # The models' citing(), which reads published content from the index of published
    # citations instead of joining every paragraph (and needs no DISTINCT).
    return IntegerFilter(
        method=lambda queryset, name, value: queryset.citing(int(value)),
        minimum=1,
        maximum=MAX_RESOLUTION_NUMBER,
        help_text=_("Only records citing the Security Council resolution with this number."),
    )


class StatementFilterSet(SearchFilterSet):
    date_after = filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text=_("Published on or after (YYYY-MM-DD).")
    )
    date_before = filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text=_("Published on or before (YYYY-MM-DD).")
    )
    year = IntegerFilter(
        field_name="date",
        lookup_expr="year",
        minimum=1900,
        maximum=2999,
        help_text=_("Published in this year."),
    )
    kind = filters.ChoiceFilter(
        choices=Statement.Kind.choices, help_text=_("The kind of document.")
    )
    speaker = filters.CharFilter(
        method="filter_speaker",
        help_text=_(
            "A person's slug (taro-kono: every statement they spoke, whatever spelling the "
            "page printed), or text the speaker line or the speaker's name contains "
            "(case-insensitive)."
        ),
    )
    q = SearchFilter(
        help_text=format_lazy(
            "{} {} {}", _("Full-text search of titles and paragraphs."), SEARCH_SYNTAX, SEARCH_BOUND
        ),
    )
    resolution = resolution_filter()
    meeting = filters.CharFilter(
        field_name="meetings__slug",
        distinct=True,
        help_text=_("Only statements reporting or mentioning the meeting with this slug."),
    )
    status = filters.ChoiceFilter(
        choices=Statement.Status.choices,
        help_text=_(
            "Published statements by default; `withdrawn` lists the withdrawn ones (public, "
            "as their pages are); `draft` needs an editor's credentials (the change "
            "permission on statements)."
        ),
    )
    ordering = OrderingFilter(
        fields=(("date", "date"), ("title", "title"), ("kind", "kind"), ("updated_at", "updated")),
        help_text=_("Sort order; newest first by default. Prefix a field with - to reverse."),
    )

    searched_parameters = frozenset(
        {"q", "year", "kind", "resolution", "date_after", "date_before"}
    )

    class Meta:
        model = Statement
        fields: list[str] = []

    def filter_speaker(self, queryset, name, value):
        # The person's slug or name reaches every spelling; the line as printed stays
        # searchable as before.
        return queryset.filter(
            Q(speaker__icontains=value) | Q(person__slug=value) | Q(person__name__icontains=value)
        )

    def newest(self, query: str, data: dict) -> search.Newest:
        if data.get("status") not in (None, "", Statement.Status.PUBLISHED):
            # An editor's drafts or withdrawn statements: few, and not in the index of
            # published text the search reads.
            matching = search.filter_statements(Statement.objects.all(), query)
            return search.Newest(list(matching.values_list("pk", flat=True)), published=False)
        filters = search.Filters(
            year=data.get("year"),
            kind=data.get("kind") or None,
            resolution_id=search.resolution_pk(data.get("resolution")),
            date_after=data.get("date_after"),
            date_before=data.get("date_before"),
        )
        return search.newest_statements(query, filters)

    def search(self, queryset: QuerySet, query: str) -> QuerySet:
        # A resolution named explicitly ("S/RES/2397 (2017)", "resolution 2397") lists the
        # statements citing it, as the search page answers; as words it would be the
        # phrase "S RES 2397", which no paragraph writes. One the archive does not cite is
        # searched as its number, as the page does. A bare number stays text (a year?).
        named = search.named_resolution(query)
        if named is None or not named.explicit:
            return super().search(queryset, query)
        if cited_resolution(named.number) is not None:
            return queryset.citing(named.number)
        return super().search(queryset, str(named.number))


class ReadingOrderFilter(OrderingFilter):
    """A paragraph's position is its place in its statement, so ``position`` orders the
    paragraphs within each statement, and the statements keep their order (newest first,
    or by ``date``). Sorting every paragraph of the archive by position alone read and
    sorted them all (9 s on SQLite at 100,000 statements); this order walks the
    statements' list index and each statement's paragraphs in turn."""

    def filter(self, qs, value):
        if not value:
            return qs
        newest_first = "date" not in value  # "-date" or no date: statements newest first
        statements = "-" if newest_first else ""
        within = "-" if "-position" in value else ""
        return qs.order_by(
            f"{statements}statement__date", f"{statements}statement_id", f"{within}position"
        )


class ParagraphFilterSet(SearchFilterSet):
    statement = filters.CharFilter(
        field_name="statement__slug",
        help_text=_("Only paragraphs of the statement with this slug."),
    )
    q = SearchFilter(
        help_text=format_lazy(
            "{} {} {}", _("Full-text search of the text."), SEARCH_SYNTAX, SEARCH_BOUND
        ),
    )
    resolution = resolution_filter()
    ordering = ReadingOrderFilter(
        fields=(("statement__date", "date"), ("position", "position")),
        help_text=_(
            "Sort order; newest statement first, then reading order, by default. `date` "
            "puts the statements oldest first; `-position` reads each statement's "
            "paragraphs from the last."
        ),
    )

    searched_parameters = frozenset({"q", "statement", "resolution"})

    class Meta:
        model = Paragraph
        fields: list[str] = []

    def newest(self, query: str, data: dict) -> search.Newest:
        statement = None
        if data.get("statement"):
            statements = Statement.objects.published().filter(slug=data["statement"])
            statement = statements.values_list("pk", "date").first()
            if statement is None:
                return search.Newest([])
        filters = search.Filters(
            resolution_id=search.resolution_pk(data.get("resolution")),
            statement_id=statement[0] if statement else None,
            date_after=statement[1] if statement else None,
            date_before=statement[1] if statement else None,
        )
        return search.newest_paragraphs(query, filters)


class ResolutionFilterSet(StrictFilterSet):
    adopted_after = filters.DateFilter(
        field_name="adopted_on", lookup_expr="gte", help_text=_("Adopted on or after (YYYY-MM-DD).")
    )
    adopted_before = filters.DateFilter(
        field_name="adopted_on",
        lookup_expr="lte",
        help_text=_("Adopted on or before (YYYY-MM-DD)."),
    )
    cited = BooleanFilter(
        method="filter_cited",
        help_text=_("true: only resolutions a published paragraph cites; false: only the others."),
    )
    ordering = OrderingFilter(
        fields=(
            ("number", "number"),
            ("adopted_on", "adopted_on"),
            ("citation_count", "citations"),
        ),
        help_text=_("Sort order; highest number first by default."),
    )

    class Meta:
        model = Resolution
        fields: list[str] = []

    def filter_cited(self, queryset, name, value):
        # citation_count counts published citations only.
        return queryset.cited() if value else queryset.filter(citation_count=0)


class MeetingFilterSet(StrictFilterSet):
    date_after = filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text=_("Held on or after (YYYY-MM-DD).")
    )
    date_before = filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text=_("Held on or before (YYYY-MM-DD).")
    )
    participant = filters.CharFilter(
        method="filter_participant",
        help_text=_(
            "A person's slug (antonio-guterres: every meeting they took part in, whatever "
            "spelling), or text a participant's name contains, ignoring case and accents "
            "(Antonio Guterres finds António Guterres)."
        ),
    )
    location = filters.CharFilter(
        field_name="location",
        lookup_expr="icontains",
        help_text=_("The location contains this text (case-insensitive)."),
    )
    kind = filters.ChoiceFilter(choices=Meeting.Kind.choices, help_text=_("The kind of meeting."))
    ordering = OrderingFilter(
        fields=(("date", "date"), ("title", "title")),
        help_text=_("Sort order; most recent first by default."),
    )

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_participant(self, queryset, name, value):
        return queryset.filter(
            Q(participants__name_search__contains=search_key(value))
            | Q(participants__person__slug=value)
        ).distinct()
