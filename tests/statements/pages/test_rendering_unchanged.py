"""Speed-ups to the uncached pages (issue 21) change no byte of them: every statement
page and the statement list, of the seed fixtures and of a small synthetic corpus, render
the same with the faster paths as with the code they replaced (kept here)."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.test import Client

from bench import synthetic
from statements.importing.citations import resolution_mentions
from statements.models import Paragraph, Resolution, Statement
from statements.pages import filters

pytestmark = pytest.mark.django_db


def _cited_spans_before(self: Paragraph) -> list[tuple[int, int, Resolution]]:
    """Paragraph.cited_spans as it was: the text scanned even when nothing is cited."""
    cited = {resolution.number: resolution for resolution in self.citations}
    spans: list[tuple[int, int, Resolution]] = []
    done = 0
    for mention in resolution_mentions(self.text):
        resolution = cited.get(mention.number)
        if resolution is None or mention.start < done:
            continue
        spans.append((mention.start, mention.end, resolution))
        done = mention.end
    return spans


def _choices_copied(self: forms.ChoiceField, memo: dict) -> forms.ChoiceField:
    """forms.ChoiceField's own deep copy, choices included, as the filter form had it."""
    result = forms.Field.__deepcopy__(self, memo)
    result._choices = copy.deepcopy(self._choices, memo)
    return result


def _pages(client: Client) -> dict[str, bytes]:
    """Every published statement's page and the statement list, its pages and filters."""
    urls = [s.get_absolute_url() for s in Statement.objects.published().order_by("slug")]
    assert urls, "nothing to compare"
    statement = Statement.objects.published().order_by("date").first()
    cited = Resolution.objects.cited().order_by("number").first()
    urls += [
        "/statements/",
        *(["/statements/?page=2"] if len(urls) > 20 else []),
        f"/statements/?year={statement.date.year}",
        f"/statements/?kind={statement.kind}",
        *([f"/statements/?resolution={cited.number}"] if cited else []),
        "/statements/?year=1800",  # an invalid choice: the form's error
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


def _assert_unchanged(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _pages(client)
    with monkeypatch.context() as before:
        before.setattr(Paragraph, "cited_spans", _cited_spans_before)
        before.setattr(filters._FacetField, "__deepcopy__", _choices_copied)
        then = _pages(client)
    assert now.keys() == then.keys()
    for url in now:
        assert now[url] == then[url], url


def test_the_seed_fixtures_pages_are_byte_for_byte_what_they_were(client, seeded, monkeypatch):
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    _assert_unchanged(client, monkeypatch)


def test_a_synthetic_corpus_pages_are_byte_for_byte_what_they_were(client, monkeypatch):
    synthetic.corpus_generate(statements=30, seed=4)
    # Both kinds of paragraph are there: citing (linked) and not.
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    assert Paragraph.objects.filter(resolutions__isnull=True).exists()
    _assert_unchanged(client, monkeypatch)
