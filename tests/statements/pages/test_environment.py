"""The Jinja2 environment of the public pages reads as Django's templates did."""

from __future__ import annotations

import datetime as dt
import html
import os
import zoneinfo
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.template import defaultfilters, engines
from django.template.backends.jinja2 import Jinja2
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import (
    DictLoader,
    FileSystemLoader,
    Template,
    TemplateNotFound,
    pass_context,
    pass_environment,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context

from statements.models import Meeting, Person, Resolution, Statement
from statements.pages import views
from statements.pages.environment import environment
from statements.pages.templatetags import regroup


def test_regroup_keeps_the_order_given_and_never_sorts():
    rows = [SimpleNamespace(statement=name, n=n) for n, name in enumerate("bbaab")]
    groups = regroup(rows, "statement")
    assert [(group.grouper, [row.n for row in group.list]) for group in groups] == [
        ("b", [0, 1]),
        ("a", [2, 3]),
        ("b", [4]),
    ]
    assert regroup([], "statement") == []


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_a_missing_variable_or_attribute_prints_nothing_as_in_django_templates():
    source = "[{{ nothing }}|{{ nothing.at.all }}|{% if form.errors %}x{% endif %}]"
    assert render(source) == "[||]"


@override_settings(DEBUG=True)
def test_a_missing_variable_prints_nothing_in_development_too():
    # Django's backend would print "{{ query }}" in the search box of every page but the
    # search when DEBUG is on; the pages read the same in development as in production.
    engine = Jinja2(
        {
            "NAME": "debug",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "statements.pages.environment.environment"},
        }
    )
    assert engine.from_string("[{{ query }}]").render({}) == "[]"


def test_default_if_none_and_the_date_as_stored():
    tokyo = dt.datetime(2017, 9, 19, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    source = (
        "{{ v|default_if_none('') }}|{{ t|date('H:i T', localtime=False) }}|{{ t|date('H:i') }}"
    )
    assert render(source, v=None, t=tokyo) == "|10:30 JST|01:30"


# Every format character of Django's dates, the escape, and text between them.
DATE_FORMAT_CHARACTERS = "aAbBcdDeEfFgGhHiIjlLmMnNoOPrsStTuUwWyYzZ"
DATE_FORMATS = st.text(alphabet=DATE_FORMAT_CHARACTERS + "\\ -:/,.", max_size=12)
# Around midnight in the zone shown, where the day as stored and as shown differ.
MOMENTS = [
    dt.datetime(2017, 12, 22, 4, 30, tzinfo=dt.UTC),
    dt.datetime(2020, 3, 8, 23, 59, 59, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
    dt.datetime(2016, 2, 29, 12, tzinfo=dt.UTC),
]


def formatted_by_django(moment: dt.datetime, form: str, localtime: bool) -> str:
    shown = timezone.template_localtime(moment) if localtime else moment
    return conditional_escape(defaultfilters.date(shown, form))


@pytest.mark.parametrize("form", [*DATE_FORMAT_CHARACTERS, "j F Y", "c", "\\H", "H:i"])
@pytest.mark.parametrize("localtime", [True, False])
def test_each_date_format_character_formats_a_time_as_django_does(form, localtime):
    with timezone.override("America/New_York"):
        for moment in MOMENTS:
            expected = formatted_by_django(moment, form, localtime)
            shown = render("{{ t|date(f, localtime=l) }}", t=moment, f=form, l=localtime)
            assert shown == expected, moment


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from([dt.UTC, zoneinfo.ZoneInfo("Asia/Tokyo")]),
    ),
    form=st.one_of(
        st.sampled_from(["c", "j F Y", "Y-m-d", "H:i T", "r", "j \\o\\f F"]), DATE_FORMATS
    ),
    language=st.sampled_from(["en", "de", "ja"]),
    localtime=st.booleans(),
)
def test_a_time_is_formatted_as_djangos_date_filter_formats_it(moment, form, language, localtime):
    # A time whose format reads only the day is formatted as that day, and "c" as
    # isoformat() (environment.date): the same text as Django's filter, in any language.
    with translation.override(language), timezone.override("America/New_York"):
        expected = formatted_by_django(moment, form, localtime)
        assert render("{{ t|date(f, localtime=l) }}", t=moment, f=form, l=localtime) == expected


def test_a_translated_message_follows_the_active_language_every_time():
    # Looked up once per language (environment._translated), never served in another's.
    assert render('{{ _("January") }}') == "January"
    with translation.override("de"):
        assert render('{{ _("January") }}') == "Januar"
        assert render("{% trans n=2 %}January {{ n }}{% endtrans %}") == "January 2"
    assert render('{{ _("January") }}') == "January"


def test_a_day_is_formatted_in_the_active_language_and_format_every_time():
    # Formatted once per language and format (environment._day_formatted), never served
    # in another's.
    day = dt.date(2017, 12, 22)
    source = "{{ d|date('j F Y') }}|{{ d|date('Y-m-d') }}|{{ d|date }}"
    assert render(source, d=day) == "22 December 2017|2017-12-22|" + render(
        "{{ d|date(None) }}", d=day
    )
    with translation.override("de"):
        assert render("{{ d|date('j F Y') }}", d=day) == "22 Dezember 2017"
    assert render("{{ d|date('j F Y') }}", d=day) == "22 December 2017"
    with translation.override(None), override_settings(DATE_FORMAT="Y/m/d"):
        assert render("{{ d|date }}", d=day) == "2017/12/22"
    assert render("{{ d|date('j F Y') }}|{{ none|date('j F Y') }}", d=day, none=None) == (
        "22 December 2017|"
    )


def test_a_static_files_address_follows_the_static_settings():
    # Looked up once a file (environment._static), until the settings Django makes a new
    # static files storage for change.
    source = "{{ static('statements/site.css') }}"
    assert render(source) == "/static/statements/site.css"
    with override_settings(STATIC_URL="https://assets.example.org/v2/"):
        assert render(source) == "https://assets.example.org/v2/statements/site.css"
    assert render(source) == "/static/statements/site.css"


def test_a_page_for_a_request_reads_the_language_once_and_follows_the_active_one(monkeypatch):
    # Django's i18n context processor reads the language once a render; the messages and
    # dates of the page take it from there, not from get_language() at each of them.
    request = RequestFactory().get("/")
    day = dt.date(2017, 12, 22)
    template = engines["jinja2"].from_string(
        '{% for _i in range(50) %}{{ _("January") }} {{ d|date("j F Y") }};{% endfor %}'
    )
    assert template.render({"d": day}, request).startswith("January 22 December 2017;")
    with translation.override("de"):
        assert template.render({"d": day}, request).startswith("Januar 22 Dezember 2017;")

    calls = []
    real = translation.get_language
    monkeypatch.setattr(translation, "get_language", lambda: calls.append(1) or real())
    assert template.render({"d": day}, request).count("January 22 December 2017;") == 50
    assert len(calls) <= 2  # the processor's LANGUAGE_CODE and LANGUAGE_BIDI


class _Html:
    """Something that prints itself as HTML (``__html__``) and is not text, as a form's
    bound field is."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def __html__(self) -> str:
        return self.markup

    def __str__(self) -> str:  # what printing it must not use
        return "not this"


printed = st.one_of(
    st.text(),
    st.text(alphabet="ab &<>\"'"),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.builds(mark_safe, st.text(alphabet="ab &<>\"'")),
    st.builds(_Html, st.text(alphabet="ab &<>\"'")),
    st.builds(gettext_lazy, st.sampled_from(["Statements", "Japan's <statements>"])),
)


@given(value=printed)
def test_a_printed_value_reads_as_django_escapes_it(value):
    # Plain text with nothing to escape and whole numbers skip the safe-marking
    # (environment._escaped); what is printed, alone or in a {% trans %}, is Django's.
    expected = str(conditional_escape(value))
    assert render("{{ v }}", v=value) == expected
    assert render("{% trans v=v %}<{{ v }}>{% endtrans %}", v=value) == f"<{expected}>"
    # Where escaping is switched as the template runs, Jinja2 escapes what finalize gave:
    # still escaped once.
    switched = "{% autoescape on %}{{ v }}{% endautoescape %}"
    assert render(switched, v=value, on=True) == expected


def test_a_printed_value_is_escaped_by_one_call():
    # Django's escape (finalize) gives text ready to print; MarkupSafe's escape around it
    # searched it again and made a Markup of it, per value printed (environment._Generator).
    source = engines["jinja2"].env.compile("<p>{{ v }}</p>", raw=True)
    assert "environment.finalize(" in source
    assert "escape(" not in source


# Templates whose runs of text and values are written in every kind of place: a loop, a
# block, a child template, a filter or set block and a macro (which collect what they
# write themselves), and switched escaping.
WRITTEN = {
    "base.html": "<t>{% block title %}T{{ owner }}{% endblock %}</t>"
    "{% block body %}{% endblock %}!",
    "loop.html": "{% for item in items %}<li>{{ item.name }}: {{ loop.index }}</li>\n{% endfor %}",
    "child.html": '{% extends "base.html" %}{% block body %}<b>{{ owner }}{{ super() }}</b>'
    "{% for item in items %}<i>{{ item.name }}</i>{% endfor %}{% endblock %}",
    "unknown parent.html": "{% if owner %}{% extends parent %}{% endif %}<p>{{ owner }}</p>"
    "{% block body %}[{{ owner }}]{% endblock %}",
    "filter.html": "{% filter upper %}<a>{{ owner }}</a>{{ owner }}{% endfilter %}.{{ owner }}",
    "set.html": "{% set kept %}<s>{{ owner }}</s>{{ owner }}{% endset %}{{ kept }}|{{ kept }}",
    "macro.html": "{% macro m(x) %}<m>{{ x }}</m>{{ x }}{% endmacro %}{{ m(owner) }}{{ m(1) }}",
    "call.html": "{% macro w() %}<w>{{ caller() }}</w>{% endmacro %}"
    "{% call w() %}<c>{{ owner }}</c>{% endcall %}",
    "switched.html": "{% autoescape on %}<e>{{ owner }}{% endautoescape %}"
    "{% autoescape false %}<r>{{ owner }}</r>{% endautoescape %}",
}


@pytest.mark.parametrize("name", [name for name in WRITTEN if name != "base.html"])
def test_a_template_writes_what_jinja2s_own_code_writes(name):
    ours = environment(loader=DictLoader(WRITTEN))
    jinja2s = environment(loader=DictLoader(WRITTEN))
    jinja2s.code_generator_class = CodeGenerator
    items = [SimpleNamespace(name="a&1"), SimpleNamespace(name="<b>")]
    context = {"items": items, "owner": "o'wner", "parent": "base.html"}
    expected = jinja2s.get_template(name).render(context)
    assert ours.get_template(name).render(context) == expected


def test_a_template_and_each_block_yield_what_they_write_as_one_piece():
    # Each piece a template yields passes up through every template and block above it
    # (environment._Generator.blockvisit).
    written = environment(loader=DictLoader(WRITTEN))
    items = [SimpleNamespace(name="a&1"), SimpleNamespace(name="<b>")]
    loop = written.get_template("loop.html")
    assert list(loop.generate(items=items)) == ["<li>a&amp;1: 1</li>\n<li>&lt;b&gt;: 2</li>\n"]
    child = written.get_template("child.html")
    assert list(child.generate(items=items, owner="o")) == [
        "<t>To</t><b>o</b><i>a&amp;1</i><i>&lt;b&gt;</i>!"
    ]


def _seed_archive() -> SimpleNamespace:
    """The first of each kind of record the seed archive's public pages show."""
    return SimpleNamespace(
        statement=Statement.objects.published().order_by("pk").first(),
        resolution=Resolution.objects.cited().order_by("number").first(),
        meeting=Meeting.objects.published().order_by("pk").first(),
        person=Person.objects.public().order_by("pk").first(),
    )


# Each public page (its address) and a text that shows it rendered what it is about.
PUBLIC_PAGES = {
    "home": lambda a: ("/", a.statement.title),
    "statement list": lambda a: ("/statements/", a.statement.title),
    "statement list, filtered": lambda a: (
        f"/statements/?resolution={a.resolution.number}",
        a.statement.title,
    ),
    "statement": lambda a: (a.statement.get_absolute_url(), a.statement.title),
    "resolution list": lambda a: ("/resolutions/", str(a.resolution)),
    "resolution": lambda a: (a.resolution.get_absolute_url(), str(a.resolution)),
    "meeting list": lambda a: ("/meetings/", a.meeting.title),
    "meeting": lambda a: (a.meeting.get_absolute_url(), a.meeting.title),
    "people": lambda a: ("/people/", a.person.name),
    "person": lambda a: (a.person.get_absolute_url(), a.person.name),
    "search": lambda a: (f"/search/?q={a.resolution.number}", a.statement.title),
}


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_a_page_renders_in_one_context_never_copied(client, seeded, page):
    # A {% set %} in a loop or a block makes Jinja2 copy the whole context for each call
    # of _() after it (a few µs each: thirty on a statement page, once per paragraph);
    # the pages use {% with %}, which does not. An {% include %} looked its template up
    # and made a new context of the whole one, 7 µs each (a list's twenty items, a
    # meeting page's quotes); written in place (environment._InliningLoader), it does not.
    url, shown = PUBLIC_PAGES[page](_seed_archive())
    derived, made = Context.derived, Template.new_context
    with (
        mock.patch.object(Context, "derived", autospec=True, side_effect=derived) as copy,
        mock.patch.object(Template, "new_context", autospec=True, side_effect=made) as new,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert html.escape(shown) in response.content.decode()
    # A chart is written in a context of its own, once per change of the content
    # (views.chart_written; here, in a test's transaction, at every request).
    contexts = [call.args[0].name for call in new.call_args_list]
    assert copy.call_count == 0
    assert len([name for name in contexts if name != views.CHART_TEMPLATE]) == 1


# Templates whose includes are each of a kind the loader writes in place or leaves alone.
INCLUDED = {
    "item.html": "<li>{{ item.name }} of {{ owner }}</li>\n",
    "loop.html": "<li>{{ item.name }}, {{ loop.index }}</li>",
    "no-newline.html": "[{{ item.name }}]",
    "nested.html": '<div>{% include "item.html" %}</div>\n',
    "sets.html": "{% set owner = 'changed' %}({{ owner }})",
    "macro.html": "{% macro m() %}m{% endmacro %}{{ m() }}",
    "self.html": '{% if item.deeper %}{% with item = item.deeper %}{% include "self.html" %}'
    "{% endwith %}{% endif %}<{{ item.name }}>",
    "withs.html": "{% with owner = 'inner' %}{{ owner }}{% endwith %}/{{ owner }}",
}
INCLUDING = {
    "a loop": '{% for item in items %}{% include "item.html" %}{% endfor %}',
    "no trailing newline": '{% for item in items %}{% include "no-newline.html" %}{% endfor %}',
    "nested": '{% for item in items %}{% include "nested.html" %}{% endfor %}',
    "single quotes": "{% for item in items %}{% include 'item.html' %}{% endfor %}",
    "in a with": '{% with owner = "w" %}{% for item in items %}{% include "item.html" %}'
    "{% endfor %}{% endwith %}",
    "a set in the included": '{% include "sets.html" %}{{ owner }}',
    "a macro in the included": '{% include "macro.html" %}',
    "itself": '{% with item = items[0] %}{% include "self.html" %}{% endwith %}',
    "a with in the included": '{% include "withs.html" %}',
    "the including loop's loop": '{% for item in items %}{% include "loop.html" %}{% endfor %}',
    "a comment": '{# {% include "item.html" %} #}{{ owner }}',
    "a raw block": '{% raw %}{% include "item.html" %}{% endraw %}',
    "a raw block trimmed": '{%- raw -%} {% include "item.html" %} {%- endraw %}',
    "ignore missing": '{% include "gone.html" ignore missing %}!',
    "without context": '{% for item in items %}{% include "no-newline.html" without context %}'
    "{% endfor %}",
}


def _environments(templates: dict[str, str]) -> tuple[Any, Any]:
    """The pages' environment over ``templates``, and the same with Jinja2's own loader."""
    written = environment(loader=DictLoader(templates))
    own = environment()
    own.loader = DictLoader(templates)
    return written, own


@pytest.mark.parametrize("case", INCLUDING)
def test_an_include_written_in_place_renders_as_jinja2_renders_it(case):
    written, own = _environments({**INCLUDED, "page.html": INCLUDING[case]})
    deeper = SimpleNamespace(name="b<2>", deeper=None)
    context = {
        "items": [SimpleNamespace(name="a&1", deeper=deeper), deeper],
        "owner": "o'wner",
    }
    expected = own.get_template("page.html").render(context)
    assert written.get_template("page.html").render(context) == expected


def test_an_include_of_a_missing_template_fails_as_in_jinja2():
    written, own = _environments({"page.html": '{% include "gone.html" %}'})
    for env in (written, own):
        with pytest.raises(TemplateNotFound, match=r"gone\.html"):
            env.get_template("page.html").render()


def test_a_fixed_include_is_compiled_into_the_page_and_the_rest_are_not():
    written, _own = _environments({**INCLUDED, "page.html": INCLUDING["a loop"]})
    source, _, _ = written.loader.get_source(written, "page.html")
    assert "include" not in source
    assert "<li>{{ item.name }} of {{ owner }}" in source
    kept = '{% include "sets.html" %}'
    written, _own = _environments({**INCLUDED, "page.html": kept})
    assert written.loader.get_source(written, "page.html")[0] == kept


def test_a_page_is_reloaded_in_development_when_a_template_it_includes_changes(tmp_path):
    (tmp_path / "page.html").write_text('<p>{% include "part.html" %}</p>')
    part = tmp_path / "part.html"
    part.write_text("one")
    env = environment(loader=FileSystemLoader(tmp_path), auto_reload=True)
    assert env.get_template("page.html").render() == "<p>one</p>"
    part.write_text("two")
    # A file system's clock may not tell two writes in the same second apart.
    stamp = part.stat().st_mtime + 5
    os.utime(part, (stamp, stamp))
    assert env.get_template("page.html").render() == "<p>two</p>"


class _Callables:
    """Each kind of callable a template may call, each printing what it was given."""

    def method(self, *args, **kwargs):
        return f"method{args}{sorted(kwargs.items())}"

    @pass_context
    def method_with_context(self, context, name):
        return f"method_with_context:{context.get(name)}"

    def __call__(self, value):
        return f"instance:{value}"


class _CallableWithContext:
    @pass_context
    def __call__(self, context, name):
        return f"instance_with_context:{context.get(name)}"


def _stops():
    raise StopIteration


CALLABLES = {
    "function": lambda *args, **kwargs: f"function{args}{sorted(kwargs.items())}",
    "with_context": pass_context(lambda context, name: f"with_context:{context.get(name)}"),
    "with_eval_context": pass_eval_context(lambda eval_ctx, v: f"{eval_ctx.autoescape}:{v}"),
    "with_environment": pass_environment(lambda env, v: f"{env.autoescape}:{v}"),
    "callables": _Callables(),
    "instance_with_context": _CallableWithContext(),
    "a_class": SimpleNamespace,
    "builtin": len,
    "stops": _stops,
}
CALLED = (
    "{{ function(1, obj=2, self=3) }} {{ with_context('outer') }} {{ with_eval_context(1) }}"
    " {{ with_environment(2) }} {{ callables.method(3, obj=4) }}"
    " {{ callables.method_with_context('outer') }} {{ callables(5) }}"
    " {{ instance_with_context('outer') }} {{ a_class(x=6).x }} {{ builtin('abc') }}"
    " [{{ stops() }}] {{ 'a,b'.split(',') }}"
    "{% for item in [1, 2] %}{% with inner = item * 10 %}"
    " {{ function(item) }} {{ with_context('item') }} {{ with_context('inner') }}"
    " {{ callables.method(item) }} {{ callables.method_with_context('inner') }}"
    " {{ instance_with_context('item') }}{% endwith %}"
    "{% set assigned = item * 100 %} {{ with_context('assigned') }}{% endfor %}"
    "{% block named %}{% set in_block = 7 %} {{ with_context('in_block') }}{% endblock %}"
)


def test_a_call_in_a_template_gives_what_jinja2s_own_context_gives():
    # environment._Context calls a plain function or method at once, the rest as Jinja2.
    ours, jinja2s = environment(), environment()
    jinja2s.context_class = Context
    context = {"outer": "o<", **CALLABLES}
    expected = jinja2s.from_string(CALLED).render(context)
    assert all(f"with_context:{v}" in expected for v in ("o&lt;", "200", "7"))
    assert ours.from_string(CALLED).render(context) == expected
