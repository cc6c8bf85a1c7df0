"""Filters readers combine on the statement list and the search page; the choices offered
are only those that published content has, so no filter leads to an empty page."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import connection
from django.utils.translation import gettext_lazy as _

from statements import derived, search
from statements.models import Resolution, Statement

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


def year_choices() -> list[tuple[int, int]]:
    """Years with published statements, newest first."""
    years = [int(str(day)[:4]) for day in _column(years_sql())]
    return [(year, year) for year in years]


def speaker_choices() -> list[tuple[str, str]]:
    """Speakers of published statements, in the database's order."""
    return [(speaker, speaker) for speaker in search.published_speakers()]


def cited_resolutions() -> list[Resolution]:
    """Every resolution a published paragraph cites, newest first, with its count."""
    return list(Resolution.objects.cited().order_by("-number"))


def resolution_choices() -> list[tuple[int, str]]:
    # Two columns, not every cited Resolution built as a model (300 of them per form).
    rows = Resolution.objects.cited().order_by("-number").values_list("number", "symbol")
    return [(number, symbol or f"S/RES/{number}") for number, symbol in rows]


class StatementFilter(django_filters.FilterSet):
    """Year, kind, speaker and cited resolution; they combine, and live in the URL."""

    year = django_filters.ChoiceFilter(
        field_name="date",
        lookup_expr="year",
        label=_("Year"),
        choices=year_choices,
        empty_label=_("Any year"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Statement.Kind.choices, empty_label=_("Any kind")
    )
    speaker = django_filters.ChoiceFilter(
        label=_("Speaker"), choices=speaker_choices, empty_label=_("Any speaker")
    )
    resolution = django_filters.ChoiceFilter(
        label=_("Cites resolution"),
        choices=resolution_choices,
        empty_label=_("Any resolution"),
        method="filter_resolution",
    )

    class Meta:
        model = Statement
        fields = ["year", "kind", "speaker", "resolution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluate the choices once: a callable would query again to validate and to render.
        for name in ("year", "speaker", "resolution"):
            choices = self.filters[name].extra["choices"]
            self.filters[name].extra["choices"] = list(choices() if callable(choices) else choices)

    def filter_resolution(self, queryset, name, value):
        return queryset.citing(int(value))


class SearchForm(forms.Form):
    """What the search page reads from its URL: the query, the filters, the order and a
    range of dates (``from``, ``to``; Python keywords, so the fields are added by name)."""

    q = forms.CharField(label=_("Search the archive"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    resolution = forms.TypedChoiceField(
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
