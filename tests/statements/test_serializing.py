"""The history's format (statements.version_json, "json-versions"): Django's JSON, cheaper."""

import pytest
from django.core import serializers
from django.core.serializers.json import Serializer as DjangoSerializer
from django.db.models import Prefetch

from statements.models import Paragraph, Resolution, Statement
from statements.version_json import prefetched_as
from tests.factories import ParagraphFactory, ResolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paragraphs():
    first = ParagraphFactory(position=1, text="Cites “2397” and 2375 — with ünïcode.")
    first.resolutions.set([ResolutionFactory(number=2397), ResolutionFactory(number=2375)])
    ParagraphFactory(statement=first.statement, position=2)
    return Paragraph.objects.order_by("pk")


@pytest.mark.parametrize("options", [{}, {"indent": 2}, {"fields": ["text", "resolutions"]}])
def test_writes_exactly_what_djangos_json_serializer_writes(paragraphs, options):
    for queryset in (paragraphs, paragraphs.prefetch_related("resolutions")):
        ours = serializers.serialize("json-versions", queryset, **options)
        assert ours == DjangoSerializer().serialize(paragraphs, **options)


def test_reads_a_many_to_many_prefetched_as_a_list_without_a_query(
    paragraphs, django_assert_num_queries
):
    listed = Prefetch(
        "resolutions", Resolution.objects.only("pk"), to_attr=prefetched_as("resolutions")
    )
    loaded = list(paragraphs.prefetch_related(listed))
    with django_assert_num_queries(0):
        ours = serializers.serialize("json-versions", loaded)
    assert ours == DjangoSerializer().serialize(paragraphs)


def test_statements_with_natural_keys_still_serialize_their_relations(paragraphs):
    statement = Statement.objects.prefetch_related("meetings").get()
    data = serializers.serialize("json-versions", [statement], use_natural_foreign_keys=True)
    assert data == DjangoSerializer().serialize([statement], use_natural_foreign_keys=True)
