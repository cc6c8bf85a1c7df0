"""The Jinja2 environment of the public pages (issue 21); the admin stays on Django's
template language.

Jinja2 compiles a template to Python, so a statement's thirty paragraphs cost a loop, not
a tree of nodes resolved per variable: the page's template time fell several times over
(docs/architecture.md, "Templates"). The pages read the same as they did in Django
templates, byte for byte (tests/statements/pages/test_rendering_unchanged.py), because:

- every value printed is escaped by Django's own escape (``finalize``), not MarkupSafe's,
  which writes ``'`` and ``"`` differently;
- ``{% trans %}`` blocks substitute their variables escaped the same way;
- ``date`` and ``join`` are Django's filters, with Django's time-zone handling;
- a missing variable, or an attribute of one, prints nothing, as in Django's templates
  (``ChainableUndefined``), in development too: Django's backend would otherwise print
  ``{{ name }}`` for it when DEBUG is on.

The templates name a value inside a loop or a block with ``{% with %}``, not ``{% set %}``:
after a ``{% set %}`` there, Jinja2 copies the whole context for every call of ``_()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Iterable
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.text import Truncator
from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    Environment,
    TemplateNotFound,
    meta,
    nodes,
    pass_context,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from markupsafe import Markup

from statements.models import page_url
from statements.pages import templatetags
from statements.translation import catalogues_changed, translated

# What html.escape replaces.
_special = re.compile("[&<>\"']").search


def _escaped(value: Any) -> str:
    """Django's ``conditional_escape``, which is ``html.escape`` behind two wrappers that
    cost more than the escaping on a page of thirty paragraphs; the same bytes.

    Text with nothing to escape (most of a page's), and a whole number, come back as plain
    text, the rest as ``Markup``: safe, so that where Jinja2's own escape still follows
    (``_Generator``) it changes nothing."""
    kind = type(value)
    if kind is str:
        # Most text has nothing to escape: one search, not html.escape's five replaces.
        return Markup(html.escape(value)) if _special(value) else value
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        # Safe text prints as it is; anything else as its __html__ says (a form's field).
        return value if isinstance(value, str) else Markup(value.__html__())
    return Markup(html.escape(str(value)))


# As Django's templates print a value: Django's escape, not MarkupSafe's, and only it
# (``_Generator``).
_finalize = _escaped


class _Generator(CodeGenerator):
    """Compiles ``{{ value }}`` to ``finalize(value)``, where Jinja2 writes
    ``escape(finalize(value))``: ``finalize`` already gives escaped text, which MarkupSafe's
    escape then only searched again and wrapped in a ``Markup``, two calls and an object per
    value printed (6% of a statement's page, 15% of the resolution list: callgrind,
    docs/performance.md). Where a template turns escaping on and off as it runs
    (``eval_ctx.volatile``), or off, Jinja2's own code."""

    def blockvisit(self, body: Iterable[nodes.Node], frame: Frame) -> None:
        # A template's body and each of its blocks write into a list and yield it joined,
        # once. Jinja2 yields every run of text and every value, and each piece passes up
        # through every template and block above it: 1,000 pieces for a resolution's
        # page, 3% of its instructions (callgrind, docs/performance.md). The list is
        # Jinja2's own, as for a macro or a filter block. Not in a template that extends
        # another (``require_output_check``: it writes nothing of its own outside its
        # blocks), nor in a function that already collects (a macro, a recursive loop).
        if not _collects(frame):
            super().blockvisit(body, frame)
            return
        frame.buffer = "_parts"
        self.writeline("_parts = []")
        try:
            super().blockvisit(body, frame)
        finally:
            frame.buffer = None
        self.writeline("yield ''.join(_parts)")

    def _output_child_pre(self, node: Any, frame: Frame, finalize: Any) -> None:
        if _escapes_alone(frame, finalize):
            self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Any, frame: Frame, finalize: Any) -> None:
        if _escapes_alone(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


def _collects(frame: Frame) -> bool:
    # The outermost frame of a template's render function or of a block's: no parent, and
    # not an if's copy of it (``Frame.soft()``).
    outermost = frame.parent is None and not frame.soft_frame
    return (
        outermost
        and (frame.rootlevel or frame.block_frame)
        and frame.buffer is None
        and not frame.require_output_check
    )


def _escapes_alone(frame: Frame, finalize: Any) -> bool:
    # ``finalize.src`` is the call of the environment's finalize, our ``_escaped``.
    context = frame.eval_ctx
    return context.autoescape and not context.volatile and finalize.src is not None


# What pass_context marks a function with: read from the decorator, not Jinja2's enum.
_ASKS_FOR_CONTEXT = pass_context(lambda context: context).jinja_pass_arg


class _Context(Context):
    """Jinja2's context, whose ``call()``, which a template's every call of a function or
    a method goes through, calls a plain one at once: Jinja2's looked for what the
    callable asks to be given (``pass_context`` and the like) on it and on its
    ``__call__``, each time, an attribute lookup that fails for nearly all of them (2 µs a
    call; 90 calls a statement page, 150 the resolution list). A function that asks for
    the context (``_()``), outside a loop or a block's own names, is given it at once too.
    The rest, Jinja2's."""

    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        kind = type(obj)
        function = obj.__func__ if kind is MethodType else obj
        if kind is BuiltinFunctionType:
            asks = None
        elif type(function) is FunctionType:
            asks = function.__dict__.get("jinja_pass_arg")
        else:
            return super().call(obj, *args, **kwargs)
        if (
            asks is _ASKS_FOR_CONTEXT
            and not kwargs.get("_loop_vars")
            and not kwargs.get("_block_vars")
        ):
            args = (self, *args)
        elif asks is not None:
            return super().call(obj, *args, **kwargs)
        # What a template passes for the calls that take a context, as Jinja2 does.
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined("the call raised StopIteration")


class _Environment(Environment):
    code_generator_class = _Generator
    context_class = _Context


# A comment or a raw block, kept as it is, or an include of a fixed name with the context,
# Jinja2's default: nothing more (no "ignore missing", no "without context", no "-").
_INCLUDE = re.compile(
    r"(?P<kept>\{#.*?#\}|\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\})"
    r"|\{%\s*include\s+([\"'])(?P<name>[^\"']+)\2\s*%\}",
    re.DOTALL,
)
# What an included template may not hold to be written in place: a tag that would act on
# the including template's names or structure there, and on the include's own copy of
# them; a name it would read from the including template there and not in an include
# (the including loop's ``loop``).
_NOT_IN_PLACE = (
    nodes.Assign,
    nodes.AssignBlock,
    nodes.Block,
    nodes.Extends,
    nodes.Macro,
    nodes.CallBlock,
    nodes.Import,
    nodes.FromImport,
)
_NOT_READ_IN_PLACE = {"loop", "self", "super", "caller", "varargs", "kwargs"}


def _reads_the_same_in_place(environment: Environment, name: str, text: str) -> bool:
    tree = environment.parse(text, name)
    if next(tree.find_all(_NOT_IN_PLACE), None) is not None:
        return False
    return not meta.find_undeclared_variables(tree) & _NOT_READ_IN_PLACE


class _InliningLoader(BaseLoader):
    """Another loader's templates, each ``{% include "name" %}`` written in place as the
    text of the template it names, so that the page compiles it as its own code.

    An include with the context, Jinja2's default, renders the template named with the
    same names (the including template's and its loop's), as the text in place does;
    but it looks the template up and copies the whole context into a new one each time:
    7 µs, for each of a meeting page's 28 quoted paragraphs and participants and a list's
    20 items (docs/performance.md, "Seventeenth round"). The text in place reads the same,
    byte for byte. An include of a name not fixed, with options, of a missing template,
    of itself, or of one that holds a ``{% set %}``, a block, a macro or an import, or
    reads ``loop`` from the including loop, stays Jinja2's own."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self._written_in_place(environment, template, ())

    def _written_in_place(
        self, environment: Environment, template: str, around: tuple[str, ...]
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        checks = [uptodate] if uptodate else []
        inside = (*around, template)

        def in_place(match: re.Match) -> str:
            name = match["name"]
            if name is None or name in inside:
                return match[0]
            try:
                text, _, fresh = self._written_in_place(environment, name, inside)
            except TemplateNotFound:
                return match[0]  # Jinja2's own error, where the page renders it
            if not _reads_the_same_in_place(environment, name, text):
                return match[0]
            if fresh:
                checks.append(fresh)
            return text

        written = _INCLUDE.sub(in_place, source)
        # Reloaded (in development, auto_reload) when the template or any it holds changed.
        return written, filename, (lambda: all(check() for check in checks))

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def _substituted(message: str, variables: dict[str, Any], autoescape: bool) -> str:
    if not autoescape:
        return message % variables if variables else message
    # Markup, not Django's mark_safe (the same safe text, read by both through __html__):
    # mark_safe's checks cost more than the rest of a message; a page prints seventy.
    if not variables:
        return Markup(message)
    return Markup(message % {name: _escaped(value) for name, value in variables.items()})


@functools.lru_cache(maxsize=4096)
def _day_formatted(language: str | None, day: dt.date, format_string: str | None) -> str:
    # Called with ``language`` active. A day reads the same every time in a language (no
    # time zone applies to it): formatted once, not at 20-30 µs a date, forty a list.
    return defaultfilters.date(day, format_string)


@functools.lru_cache(maxsize=256)
def _static(path: str) -> str:
    # Django's ``static``: its storage reads the manifest once a process, and the settings
    # keep STATIC_URL with the script prefix of its first read, so a file's address holds
    # until those settings change; looked up and joined each time, two cost 3% of a page.
    return static(path)


# The settings on whose change Django itself makes a new static files storage.
_STATIC_SETTINGS = {"STATIC_URL", "STATIC_ROOT", "STORAGES"}


@receiver(setting_changed)
def _formats_changed(*, setting: str, **kwargs: Any) -> None:
    # Where Django itself drops its catalogues and formats (tests that change them).
    if catalogues_changed(setting):
        _day_formatted.cache_clear()
    if setting in _STATIC_SETTINGS:
        _static.cache_clear()


def _language(context: Context) -> str | None:
    # Read once per render by Django's i18n context processor: get_language() reads a
    # thread- and task-local under a lock, and a list page asks it a few hundred times.
    return context.get("LANGUAGE_CODE") or translation.get_language()


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    # Looked up once a process per language and message (statements.translation).
    text = translated(_language(context), message)
    return _substituted(text, variables, context.eval_ctx.autoescape)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, number: int, **variables: Any) -> str:
    variables.setdefault("num", number)
    return _substituted(
        translation.ngettext(singular, plural, number), variables, context.eval_ctx.autoescape
    )


# Django's date format characters that read more than a day (the time, the time zone),
# and the escape: a format with none of them reads the same of the day alone.
_TIMED = re.compile(r"[aABcefgGhHiIOPrsTuUZ\\]").search


@pass_context
def date(
    context: Context, value: Any, format_string: str | None = None, localtime: bool = True
) -> str:
    """Django's ``date`` filter, in the current time zone as Django's templates give it
    (``localtime=False``: as stored, what ``{% localtime off %}`` did)."""
    if isinstance(value, dt.datetime):
        if localtime:
            value = timezone.template_localtime(value)
        if format_string == "c":  # ISO 8601, which Django's format writes as isoformat()
            return value.isoformat()
        if format_string is None or _TIMED(format_string):
            return defaultfilters.date(value, format_string)
        value = value.date()  # the same text: the format reads nothing but the day
    if isinstance(value, dt.date):
        return _day_formatted(_language(context), value, format_string)
    return defaultfilters.date(value, format_string)


@pass_eval_context
def join(eval_ctx: Any, values: Iterable[Any], separator: str) -> str:
    """Django's ``join``: each value and the separator escaped."""
    return defaultfilters.join(list(values), separator, autoescape=eval_ctx.autoescape)


def truncatewords(value: Any, words: int) -> str:
    return Truncator(value).words(words, truncate=" …")


def environment(**options: Any) -> Environment:
    options["undefined"] = ChainableUndefined
    if options.get("loader") is not None:
        options["loader"] = _InliningLoader(options["loader"])
    env = _Environment(
        extensions=["jinja2.ext.i18n"], finalize=_finalize, keep_trailing_newline=True, **options
    )
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    # Django's escaping for the variables of a {% trans %} block, as above.
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.globals.update(
        # {% url %}: the remembered reverse() the models use too.
        url=page_url,
        static=_static,
        get_current_language=translation.get_language,
        json_ld_script=templatetags.json_ld,
        query_with=pass_context(templatetags.query_with),
        feed_of=pass_context(templatetags.feed_of),
        filter_input=templatetags.filter_input,
        share_bar=templatetags.share_bar,
    )
    env.filters.update(
        date=date,
        join=join,
        truncatewords=truncatewords,
        default_if_none=defaultfilters.default_if_none,
        regroup=templatetags.regroup,
        linked_text=templatetags.linked_text,
        opening_name=templatetags.opening_name,
    )
    return env
