"""Sending alerts: what matches, when digests go, and that nothing is sent twice, however
a run ends."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from statements import services
from statements.models import AlertDelivery, Statement, Subscription
from statements.services.alerts import AlertCriteria
from tests.conftest import unused_port

pytestmark = pytest.mark.django_db


def publish(slug: str, text: str, **fields) -> Statement:
    return services.statement_create(
        paragraphs=[{"number": 1, "text": text}],
        slug=slug,
        title=fields.pop("title", slug.replace("-", " ").capitalize()),
        date=fields.pop("date", dt.date(2026, 12, 1)),
        kind=fields.pop("kind", Statement.Kind.STATEMENT),
        status=fields.pop("status", Statement.Status.PUBLISHED),
        **fields,
    )


def subscription(frequency: str = "immediate", **criteria) -> Subscription:
    wanted = AlertCriteria(**criteria)
    return Subscription.objects.create(
        email="reader@example.org",
        criteria=wanted.as_json(),
        criteria_key=wanted.key,
        frequency=frequency,
        confirmed_at=timezone.now() - dt.timedelta(minutes=1),
    )


def sent_slugs(inbox) -> list[list[str]]:
    """The statements each message links to, by slug."""
    return [
        sorted(
            re.findall(
                r"/statements/([\w-]+)/\r?$", message.get_body(("plain",)).get_content(), re.M
            )
        )
        for message in inbox.messages
    ]


def test_criteria_are_equal_whatever_the_empty_filters():
    assert AlertCriteria(q="", resolution=2397).as_json() == {"resolution": 2397}
    assert AlertCriteria(resolution=2397).key == AlertCriteria(q="", resolution=2397).key
    assert AlertCriteria(resolution=2397).key != AlertCriteria(resolution=2375).key
    assert AlertCriteria().describe() == "all statements"
    assert (
        AlertCriteria(q="sanctions", resolution=2397, speaker="Taro Kono", year=2017).describe()
        == "matching “sanctions”, citing S/RES/2397, by Taro Kono, dated 2017"
    )


def test_only_new_published_statements_that_match_are_sent(smtp_inbox):
    publish("before", "Sanctions, resolution 2397.")  # published before the subscription
    subscription(q="sanctions", kind="statement")
    publish("match-text", "Japan calls for sanctions under resolution 2397.")
    publish("match-title", "Japan acts.", title="On sanctions")
    publish("other-kind", "Sanctions again.", kind=Statement.Kind.PRESS_RELEASE)
    publish("no-match", "Japan welcomes the agreement.")
    publish("draft", "Sanctions in a draft.", status=Statement.Status.DRAFT)
    Statement.objects.filter(slug="before").update(
        published_at=timezone.now() - dt.timedelta(days=1)
    )
    services.alerts_send()
    assert sent_slugs(smtp_inbox) == [["match-text", "match-title"]]


def test_a_failed_send_gives_its_statements_back_for_the_next_run(smtp_inbox, settings):
    subscription()
    publish("one", "Text.")
    real_port, settings.EMAIL_PORT = settings.EMAIL_PORT, unused_port()  # nothing listens
    with pytest.raises(CommandError, match="0 messages with 0 statements; 1 failed"):
        call_command("send_alerts")
    assert not AlertDelivery.objects.exists()
    settings.EMAIL_PORT = real_port
    call_command("send_alerts")
    assert sent_slugs(smtp_inbox) == [["one"]]


def test_a_run_interrupted_while_sending_never_sends_those_statements_again(
    smtp_inbox, monkeypatch
):
    subscription()
    publish("one", "Text.")

    def killed(self, fail_silently=False):
        raise KeyboardInterrupt  # the process dies mid-send: was it sent? unknowable

    monkeypatch.setattr("django.core.mail.EmailMessage.send", killed)
    with pytest.raises(KeyboardInterrupt):
        services.alerts_send()
    monkeypatch.undo()
    claimed = AlertDelivery.objects.get()
    assert claimed.sent_at is None
    publish("two", "Text.")
    services.alerts_send()
    assert sent_slugs(smtp_inbox) == [["two"]]


def test_a_daily_digest_goes_once_a_day_with_everything_new(smtp_inbox):
    subscription(frequency="daily")
    publish("one", "Text.")
    publish("two", "Text.")
    now = timezone.now()
    services.alerts_send(now=now)
    publish("three", "Text.")
    services.alerts_send(now=now + dt.timedelta(hours=2))  # not a day yet
    assert sent_slugs(smtp_inbox) == [["one", "two"]]
    services.alerts_send(now=timezone.now() + dt.timedelta(days=1))
    assert sent_slugs(smtp_inbox) == [["one", "two"], ["three"]]


def test_withdrawn_statements_are_not_sent(smtp_inbox):
    subscription()
    statement = publish("one", "Text.")
    services.statement_withdraw(statements=[statement], note="Published in error.")
    services.alerts_send()
    assert smtp_inbox.messages == []


def test_resolution_alerts_use_the_published_citations(smtp_inbox):
    subscription(resolution=2397)
    publish("cites", "Japan recalls resolutions 2375 and 2397.")
    publish("cites-other", "Japan recalls resolution 2375.")
    services.alerts_send()
    assert sent_slugs(smtp_inbox) == [["cites"]]
