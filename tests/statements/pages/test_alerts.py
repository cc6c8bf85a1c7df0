"""Email alerts, as a reader meets them: ask on a list, confirm from the mail, receive new
statements once, leave from the link. Mail goes through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from statements import services
from statements.models import AlertDelivery, Statement, Subscription

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/alerts/confirm/[^/\s]+/)")


def publish(title: str, text: str, date: dt.date = dt.date(2026, 12, 1)) -> Statement:
    return services.statement_create(
        paragraphs=[{"number": 1, "text": text}],
        slug=re.sub(r"\W+", "-", title.lower()),
        title=title,
        date=date,
        kind=Statement.Kind.STATEMENT,
        status=Statement.Status.PUBLISHED,
    )


def subscribe(client, inbox, email: str = "reader@example.org", **criteria) -> Subscription:
    """Ask for an alert and follow the confirmation link mailed."""
    response = client.post(
        reverse("statements:alert"), {"email": email, "frequency": "immediate", **criteria}
    )
    assert response.status_code == 302, response.content.decode()
    path = LINK.search(inbox.body()).group(1)
    assert client.post(path).status_code == 200
    return Subscription.objects.get(email=email)


def test_subscribe_confirm_receive_once_and_unsubscribe_through_a_real_smtp_server(
    client, smtp_inbox
):
    form = client.get(reverse("statements:alert") + "?resolution=2397")
    assert form.status_code == 200
    assert "Be emailed new statements citing S/RES/2397." in form.content.decode()

    response = client.post(
        reverse("statements:alert"),
        {"email": "reader@example.org", "frequency": "immediate", "resolution": "2397"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("statements:alert-sent")
    assert Subscription.objects.count() == 0, "nothing is stored before confirmation"
    assert len(smtp_inbox.messages) == 1
    confirmation = smtp_inbox.messages[0]
    assert confirmation["To"] == "reader@example.org"
    path = LINK.search(smtp_inbox.body()).group(1)

    page = client.get(path)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and Subscription.objects.count() == 0
    assert client.post(path).status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.criteria == {"resolution": 2397}

    matching = publish("Statement on the launch", "Japan recalls resolution 2397.")
    publish("Statement on climate", "Japan welcomes the agreement.")
    call_command("send_alerts")
    call_command("send_alerts")  # nothing new: nothing sent
    assert len(smtp_inbox.messages) == 2
    alert = smtp_inbox.messages[1]
    body = smtp_inbox.body()
    assert alert["Subject"] == "New statement citing S/RES/2397"
    assert "Statement on the launch" in body and "Statement on climate" not in body
    assert f"http://127.0.0.1:8000{matching.get_absolute_url()}" in body
    unsubscribe = re.search(r"Unsubscribe with one click: (\S+)", body).group(1)
    assert alert["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    assert "Unsubscribe" in client.get(path).content.decode()
    # RFC 8058: the mail client posts without a CSRF token
    client.handler.enforce_csrf_checks = True
    left = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert left.status_code == 200 and "no more messages" in left.content.decode()
    assert not Subscription.objects.exists()
    assert not AlertDelivery.objects.exists()
    assert "already been stopped" in client.get(path).content.decode()


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(client, smtp_inbox):
    subscribe(client, smtp_inbox, q="sanctions")
    first = client.post(
        reverse("statements:alert"),
        {"email": "reader@example.org", "frequency": "immediate", "q": "sanctions"},
    )
    other = client.post(
        reverse("statements:alert"),
        {"email": "someone@example.org", "frequency": "immediate", "q": "sanctions"},
    )
    assert (first.status_code, first["Location"]) == (other.status_code, other["Location"])
    # confirming again changes nothing but what it says
    path = LINK.search(smtp_inbox.body(-2)).group(1)
    client.post(path)
    assert Subscription.objects.filter(email="reader@example.org").count() == 1


def test_requests_are_rate_limited_per_address(client, smtp_inbox):
    data = {"email": "reader@example.org", "frequency": "daily", "year": "2017"}
    statuses = [client.post(reverse("statements:alert"), data).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(smtp_inbox.messages) == 3


def test_requests_are_rate_limited_per_client(client, smtp_inbox):
    statuses = [
        client.post(
            reverse("statements:alert"), {"email": f"r{n}@example.org", "frequency": "daily"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [302] * 10 + [429]


@pytest.mark.parametrize("query", ["?resolution=abc", "?year=1200", "?kind=poem", "?resolution=0"])
def test_a_link_with_filters_the_archive_lacks_is_a_400_that_says_which(client, query):
    response = client.get(reverse("statements:alert") + query)
    assert response.status_code == 400
    assert "This alert cannot be set up" in response.content.decode()


def test_a_bad_address_is_a_400_with_the_error_by_the_field(client, smtp_inbox):
    response = client.post(
        reverse("statements:alert"), {"email": "not an address", "frequency": "immediate"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert smtp_inbox.messages == []


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
def test_a_forged_or_tampered_link_is_a_400(client, kind):
    url = reverse(f"statements:alert-{kind}", kwargs={"token": "forged:token"})
    assert client.post(url).status_code == 400


def test_a_confirmation_link_expires_after_three_days(client, smtp_inbox, monkeypatch):
    client.post(reverse("statements:alert"), {"email": "reader@example.org", "frequency": "daily"})
    path = LINK.search(smtp_inbox.body()).group(1)
    later = dt.datetime.now().timestamp() + services.alerts.CONFIRM_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_lists_search_and_resolution_pages_link_to_an_alert_for_what_they_show(client, seeded):
    listing = client.get(reverse("statements:statement-list") + "?year=2017").content.decode()
    assert 'href="/alerts/?year=2017"' in listing
    resolution = client.get("/resolutions/2397/").content.decode()
    assert 'href="/alerts/?resolution=2397"' in resolution
    search = client.get(reverse("statements:search") + "?q=sanctions").content.decode()
    assert 'href="/alerts/?q=sanctions"' in search
