"""The history's format (statements.version_json, "json-versions"): Django's JSON, cheaper."""

import datetime as dt
from io import StringIO

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import Serializer as DjangoSerializer
from django.db.models import Prefetch
from hypothesis import given, settings
from hypothesis import strategies as st
from reversion.models import Version

from statements.models import Paragraph, Resolution, Statement
from statements.version_json import prefetched_as
from tests.factories import ParagraphFactory, ResolutionFactory
from tests.statements.test_import_command import MEETING_PAGE, STATEMENT_PAGE

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


# --- What reversion stores: one object at a time, every field named -------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
moments = st.datetimes(timezones=st.just(dt.UTC))


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(),
    number=st.none() | st.integers(min_value=1, max_value=2**31),
    stamp=moments,
    baseline=json_values,
    day=st.dates(),
)
def test_one_object_as_reversion_asks_is_djangos_json_byte_for_byte(
    text, number, stamp, baseline, day
):
    # Unsaved, with their ids set: no query, no many-to-many (reversion names them all;
    # the many-to-manys are the tests above).
    statement = Statement(
        pk=7,
        slug="s",
        title=text,
        date=day,
        speaker=text,
        import_baseline=baseline,
        imported_at=stamp,
        created_at=stamp,
        updated_at=stamp,
    )
    paragraph = Paragraph(
        pk=9,
        statement=statement,
        position=1,
        number=number,
        text=text,
        created_at=stamp,
        updated_at=stamp,
    )
    for obj in (statement, paragraph):
        fields = tuple(f.name for f in obj._meta.local_fields if not f.many_to_many)
        ours = serializers.serialize(
            "json-versions", (obj,), fields=fields, use_natural_foreign_keys=False
        )
        assert ours == DjangoSerializer().serialize([obj], fields=fields)


def test_an_imports_stored_versions_are_djangos_json_of_what_it_wrote():
    call_command("import_statements", str(STATEMENT_PAGE), str(MEETING_PAGE), stdout=StringIO())
    versions = Version.objects.filter(content_type__model__in=["statement", "paragraph"])
    assert versions.count() == Statement.objects.count() + Paragraph.objects.count()
    for version in versions:
        obj = version._model.objects.prefetch_related(
            *(f.name for f in version._model._meta.local_many_to_many)
        ).get(pk=version.object_id)
        assert version.format == "json-versions"
        assert version.serialized_data == DjangoSerializer().serialize([obj])
