"""The API's JSON renderer writes exactly what DRF's own would, faster."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import renderers

from statements.api.renderers import JSONRenderer

drf = renderers.JSONRenderer()
ours = JSONRenderer()

# What the API's answers are made of: text (any but lone surrogates, which neither
# renderer can write as UTF-8), whole numbers, booleans and null, in lists and dicts.
text = st.text(st.characters(exclude_categories=("Cs",)))
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | text
documents = st.recursive(
    scalars, lambda inner: st.lists(inner) | st.dictionaries(text, inner), max_leaves=30
)


@given(documents)
def test_any_answer_is_rendered_byte_for_byte_as_drf_renders_it(data):
    assert ours.render(data, "application/json") == drf.render(data, "application/json")


@pytest.mark.parametrize(
    "data",
    [
        # line and paragraph separators, escaped as DRF escapes them
        {"text": "one\u2028two\u2029three", "control": "\x00\x1f\x7f", "quote": '"\\/'},
        # through DRF's encoder: times, lazy translations, decimals, sets
        {"at": dt.datetime(2017, 12, 22, 9, 30, 15, 123456, tzinfo=dt.UTC)},
        {"on": dt.date(2017, 12, 22), "time": dt.time(9, 30), "lazy": gettext_lazy("Meetings")},
        {"amount": decimal.Decimal("1.50"), "numbers": {3}},
        # what orjson refuses goes to DRF: keys that are not text, numbers beyond 64 bits
        {1: "one", None: "none"},
        {"big": 2**70, "small": -(2**70)},
        # an empty body
        None,
    ],
)
def test_values_beyond_plain_json_are_rendered_as_drf_renders_them(data):
    assert ours.render(data, "application/json") == drf.render(data, "application/json")


def test_an_indented_answer_is_indented_as_drf_indents_it():
    data = {"results": [{"number": 2397, "title": "Non-proliferation/DPRK"}]}
    indented = ours.render(data, "application/json; indent=4")
    assert indented == drf.render(data, "application/json; indent=4")
    assert indented.startswith(b'{\n    "results"')
    assert json.loads(indented) == data


def test_no_answer_the_schema_describes_holds_a_float(client, db):
    # orjson writes some floats otherwise than DRF (1e-7 for 1e-07, NaN as null where DRF
    # refuses it): an API answering one needs DRF's renderer for it (see JSONRenderer).
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def floats(node, path=""):
        if isinstance(node, dict):
            types = node.get("type")
            if "number" in (types if isinstance(types, list) else [types]):
                yield path
            for key, value in node.items():
                yield from floats(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from floats(value, f"{path}/{i}")

    assert list(floats({"a": {"type": ["number", "null"]}})) == ["/a"]  # the check sees one
    assert "StatementDetail" in schema["components"]["schemas"]
    assert list(floats(schema["components"]["schemas"])) == []
