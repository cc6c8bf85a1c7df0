"""Django's translations, looked up once a process for each language and message.

Django's ``gettext`` walks its chain of catalogues at every call (5 µs), and a choice's
label is a lazy translation doing the same each time it is printed: about 80 lookups a
resolution page, 40 a list, 4-7% of their profile (docs/performance.md, "Seventeenth
round"). Django loads a language's catalogues once a process, so a message reads the same every
time in one language: it is looked up once, and again only when the settings that make
the catalogues change (tests)."""

from __future__ import annotations

import functools
from typing import Any

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext as django_gettext


@functools.lru_cache(maxsize=4096)
def translated(language: str | None, message: str) -> str:
    """``message`` in ``language``, which must be the active language (the caller may
    know it already: a template reads it once a render)."""
    return django_gettext(message)


def gettext(message: str) -> str:
    """Django's ``gettext``, in the active language."""
    return translated(get_language(), message)


def choice_label(field: models.Field, value: Any) -> Any:
    """The label of ``value`` among ``field``'s choices, in the active language, as
    Django's ``get_FOO_display()`` gives it (``value`` itself when it is not a choice)."""
    return choice_labels(field).get(make_hashable(value), value)


def choice_labels(field: models.Field) -> dict[Any, Any]:
    """Every label of ``field``'s choices, in the active language, by value (hashable):
    for a page that labels many rows. Asking the active language is most of what a label
    costs (a thread- and task-local): once a page, not once a row."""
    return _choice_labels(field, get_language())


@functools.lru_cache(maxsize=256)
def _choice_labels(field: models.Field, language: str | None) -> dict[Any, Any]:
    # Called with ``language`` active, as translated().
    return {
        make_hashable(key): force_str(label, strings_only=True) for key, label in field.flatchoices
    }


def catalogues_changed(setting: str) -> bool:
    """Whether a change of ``setting`` changes what a language's messages or formats read,
    where Django itself drops its catalogues and formats."""
    return setting in {
        "LANGUAGES",
        "LANGUAGE_CODE",
        "LOCALE_PATHS",
        "FORMAT_MODULE_PATH",
    } or setting.endswith("FORMAT")


@receiver(setting_changed)
def _catalogues_changed(*, setting: str, **kwargs: Any) -> None:
    if catalogues_changed(setting):
        translated.cache_clear()
        _choice_labels.cache_clear()
