"""Filters readers combine on the statement list and the search page; the choices offered
are only those that published content has, so no filter leads to an empty page."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from statements.caching import per_content_generation
from statements.models import Resolution, Statement


@per_content_generation
def year_choices() -> list[tuple[int, int]]:
    return [(d.year, d.year) for d in Statement.objects.published().dates("date", "year", "DESC")]


@per_content_generation
def speaker_choices() -> list[tuple[str, str]]:
    speakers = (
        Statement.objects.published()
        .exclude(speaker="")
        .order_by("speaker")
        .values_list("speaker", flat=True)
        .distinct()
    )
    return [(speaker, speaker) for speaker in speakers]


@per_content_generation
def cited_resolutions() -> list[Resolution]:
    """Every resolution a published paragraph cites, newest first, with its count: one
    aggregate over all citations, so computed once per change of content."""
    return list(
        Resolution.objects.with_citation_count().filter(citation_count__gt=0).order_by("-number")
    )


def resolution_choices() -> list[tuple[int, str]]:
    return [(r.number, str(r)) for r in cited_resolutions()]


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
    q = forms.CharField(label=_("Search the archive"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    resolution = forms.TypedChoiceField(
        label=_("Cites resolution"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year")), *year_choices()]
        self.fields["kind"].choices = [("", _("Any kind")), *Statement.Kind.choices]
        self.fields["resolution"].choices = [("", _("Any resolution")), *resolution_choices()]
