"""Translations looked up once a process per language and message (statements.translation)."""

from __future__ import annotations

from unittest import mock

from django.db import models
from django.test import override_settings
from django.utils import translation as django_translation
from django.utils.translation import gettext_lazy

from statements import translation
from statements.models import Paragraph, Statement

MONTH = models.CharField(choices=[("jan", gettext_lazy("January")), ("feb", "February")])


def test_a_message_follows_the_active_language_every_time():
    assert translation.gettext("January") == "January"
    with django_translation.override("de"):
        assert translation.gettext("January") == "Januar"
    assert translation.gettext("January") == "January"


def test_a_message_is_looked_up_once_a_language():
    translation.translated.cache_clear()
    with mock.patch.object(
        translation, "django_gettext", side_effect=django_translation.gettext
    ) as looked_up:
        assert [translation.gettext("March") for _ in range(3)] == ["March"] * 3
        with django_translation.override("de"):
            assert translation.gettext("March") == "März"
    assert looked_up.call_count == 2


def test_a_choice_label_follows_the_active_language_and_an_unknown_value_is_itself():
    assert translation.choice_label(MONTH, "jan") == "January"
    with django_translation.override("de"):
        assert translation.choice_label(MONTH, "jan") == "Januar"
    assert translation.choice_label(MONTH, "feb") == "February"
    assert translation.choice_label(MONTH, "mar") == "mar"
    assert translation.choice_label(MONTH, None) is None


def test_a_records_choice_label_reads_as_djangos():
    for kind in Statement.Kind:
        assert Statement(kind=kind).get_kind_display() == str(kind.label)
    assert Paragraph(kind=Paragraph.Kind.HEADING).get_kind_display() == str(
        Paragraph.Kind.HEADING.label
    )
    assert Statement(kind="unknown").get_kind_display() == "unknown"


def test_a_change_of_the_languages_settings_looks_every_message_up_again():
    translation.gettext("April")
    translation.choice_label(MONTH, "jan")
    with override_settings(LANGUAGE_CODE="de"):
        assert translation.translated.cache_info().currsize == 0
        assert translation._choice_labels.cache_info().currsize == 0
