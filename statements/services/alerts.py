"""Email alerts: a reader asks to be emailed new statements matching the filters of a
list or a search (double opt-in), and ``send_alerts`` (cron) mails them.

- Nothing about an address is stored until its owner follows the signed confirmation
  link: the request lives in the link. Every request gets the same answer, subscribed or
  not, so the form reveals nothing; requests are rate-limited per client and per address.
- A statement is claimed for a subscription (``AlertDelivery``) before its message is
  sent, in its own transaction: an interrupted run never sends it again; a message the
  server refuses gives its claims back for the next run.
- Every message carries a one-click unsubscribe link and the List-Unsubscribe headers
  (RFC 2369, RFC 8058).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from statements import search
from statements.models import AlertDelivery, Statement, Subscription, cited_resolution

logger = logging.getLogger(__name__)

CONFIRM_SALT = "statements.alerts.confirm"
UNSUBSCRIBE_SALT = "statements.alerts.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=3)
# Requests per hour: from one client, and for one address (confirmation mails it gets).
REQUESTS_PER_CLIENT = 10
REQUESTS_PER_ADDRESS = 3
RATE_WINDOW = 3600
# At most this many statements in one message; the rest wait for the next.
MOST_PER_MESSAGE = 50


class AlertLinkError(Exception):
    """A confirmation or unsubscribe link that is not one of ours, or has expired."""


class AlertRateLimited(Exception):
    """Too many requests from this client or for this address; try again later."""


@dataclass(frozen=True)
class AlertCriteria:
    """The filters of the list or search a reader follows, named as the lists name them."""

    q: str = ""
    resolution: int | None = None
    kind: str = ""
    year: int | None = None
    speaker: str = ""

    def as_json(self) -> dict[str, object]:
        """Only the filters given, so equal criteria are equal JSON."""
        return {name: value for name, value in asdict(self).items() if value not in ("", None)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AlertCriteria:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    @property
    def key(self) -> str:
        canonical = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def list_url(self) -> str:
        """The page that lists what the alert sends: the search, or the statement list."""
        query = self.as_json()
        name = "statements:search" if self.q else "statements:statement-list"
        encoded = urlencode(query)
        return reverse(name) + (f"?{encoded}" if encoded else "")

    def describe(self) -> str:
        """The criteria in words, for the form and the messages."""
        parts = []
        if self.q:
            parts.append(_("matching “%(q)s”") % {"q": self.q})
        if self.resolution is not None:
            parts.append(_("citing S/RES/%(number)s") % {"number": self.resolution})
        if self.kind:
            label = Statement.Kind(self.kind).label if self.kind in Statement.Kind.values else ""
            parts.append(_("of kind %(kind)s") % {"kind": label or self.kind})
        if self.speaker:
            parts.append(_("by %(speaker)s") % {"speaker": self.speaker})
        if self.year is not None:
            parts.append(_("dated %(year)s") % {"year": self.year})
        return ", ".join(parts) if parts else _("all statements")

    def matching(self, statements: QuerySet[Statement]) -> QuerySet[Statement]:
        """The statements of ``statements`` these criteria select, as the lists select."""
        if self.year is not None:
            statements = statements.filter(date__year=self.year)
        if self.kind:
            statements = statements.filter(kind=self.kind)
        if self.speaker:
            statements = statements.filter(speaker=self.speaker)
        if self.resolution is not None:
            statements = statements.citing(self.resolution)
        named = search.named_resolution(self.q) if self.q else None
        if named is not None and (named.explicit or cited_resolution(named.number) is not None):
            # As the search page answers "S/RES/2397" or a cited resolution's number:
            # the statements citing it, not the ones that print the digits.
            return statements.citing(named.number)
        if self.q:
            statements = search.filter_statements(statements, self.q)
        return statements


# --- Asking, confirming, leaving -----------------------------------------------------------


def _within_rate(name: str, limit: int) -> bool:
    key = f"alerts:rate:{hashlib.sha256(name.encode()).hexdigest()}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, RATE_WINDOW)
        return True


def alert_request(
    *,
    email: str,
    criteria: AlertCriteria,
    frequency: str,
    client: str,
    absolute: Callable[[str], str],
) -> None:
    """Mail a confirmation link for this alert to ``email``, whether or not it already
    has one (the answer must not tell). ``absolute`` makes a site path a full URL."""
    email = email.strip()
    if frequency not in Subscription.Frequency.values:
        raise ValueError(_("Choose how often to be emailed."))
    if not _within_rate(f"client:{client}", REQUESTS_PER_CLIENT) or not _within_rate(
        f"address:{email.casefold()}", REQUESTS_PER_ADDRESS
    ):
        raise AlertRateLimited(_("Too many requests for alerts. Try again in an hour."))
    token = signing.dumps(
        {"email": email, "criteria": criteria.as_json(), "frequency": frequency},
        salt=CONFIRM_SALT,
        compress=True,
    )
    link = absolute(reverse("statements:alert-confirm", kwargs={"token": token}))
    body = _(
        "Someone, probably you, asked to be emailed new statements of the archive of Japan "
        "at the United Nations: %(what)s (%(how)s).\n\n"
        "To start receiving them, confirm within 3 days:\n%(link)s\n\n"
        "If you did not ask, ignore this message: nothing is sent without confirmation, "
        "and this address is not kept.\n"
    ) % {
        "what": criteria.describe(),
        "how": Subscription.Frequency(frequency).label.lower(),
        "link": link,
    }
    EmailMessage(_("Confirm your email alert"), body, to=[email]).send()


def alert_confirm(*, token: str) -> Subscription:
    """Create (or renew) the subscription a confirmation link describes."""
    try:
        request = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE.total_seconds())
        criteria = AlertCriteria.from_json(request["criteria"])
        email, frequency = request["email"], request["frequency"]
    except (signing.BadSignature, KeyError, TypeError) as error:
        raise AlertLinkError(
            _("This confirmation link is not valid or has expired. Ask for the alert again.")
        ) from error
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=email,
            criteria_key=criteria.key,
            defaults={
                "criteria": criteria.as_json(),
                "frequency": frequency,
                "confirmed_at": timezone.now(),
            },
        )
        if not created and subscription.frequency != frequency:
            subscription.frequency = frequency
            subscription.save(update_fields=["frequency"])
    return subscription


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.key, salt=UNSUBSCRIBE_SALT)


def subscription_for(token: str) -> Subscription | None:
    """The subscription an unsubscribe link names; None when it has already gone."""
    try:
        key = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise AlertLinkError(_("This unsubscribe link is not valid.")) from error
    return Subscription.objects.filter(key=key).first()


def alert_unsubscribe(*, token: str) -> bool:
    """Delete the subscription (and its address); False when it was already gone."""
    subscription = subscription_for(token)
    if subscription is None:
        return False
    subscription.delete()
    return True


# --- Sending -----------------------------------------------------------------------------


@dataclass
class SendReport:
    messages: int = 0
    statements: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        sent = ngettext("Sent %(count)d message", "Sent %(count)d messages", self.messages) % {
            "count": self.messages
        }
        carried = ngettext(
            "with %(count)d statement", "with %(count)d statements", self.statements
        ) % {"count": self.statements}
        failed = (
            ngettext("; %(count)d failed", "; %(count)d failed", len(self.failed))
            % {"count": len(self.failed)}
            if self.failed
            else ""
        )
        return f"{sent} {carried}{failed}."


def _due(subscription: Subscription, now: dt.datetime) -> bool:
    if subscription.frequency == Subscription.Frequency.IMMEDIATE:
        return True
    return subscription.last_sent_at is None or now - subscription.last_sent_at >= dt.timedelta(
        hours=23,
        minutes=30,  # a daily cron that drifts a little still sends daily
    )


def _claim(subscription: Subscription) -> list[Statement]:
    """Claim the new statements matching the subscription, in their own transaction."""
    criteria = AlertCriteria.from_json(subscription.criteria)
    candidates = (
        Statement.objects.published()
        .filter(published_at__gte=subscription.confirmed_at)
        .exclude(pk__in=subscription.deliveries.values("statement_id"))
    )
    statements = list(
        criteria.matching(candidates)
        .order_by("date", "id")
        .only("slug", "title", "date", "kind", "speaker")[:MOST_PER_MESSAGE]
    )
    if not statements:
        return []
    try:
        with transaction.atomic():
            AlertDelivery.objects.bulk_create(
                AlertDelivery(subscription=subscription, statement=statement)
                for statement in statements
            )
    except IntegrityError:  # another run claimed them first: it sends them
        return []
    return statements


def _message(
    subscription: Subscription, statements: list[Statement], base_url: str
) -> EmailMessage:
    criteria = AlertCriteria.from_json(subscription.criteria)
    unsubscribe = base_url + reverse(
        "statements:alert-unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
    )
    lines = [
        ngettext(
            "%(count)d new statement %(what)s:",
            "%(count)d new statements %(what)s:",
            len(statements),
        )
        % {"count": len(statements), "what": criteria.describe()},
        "",
    ]
    for statement in statements:
        lines += [
            statement.title,
            f"{statement.date:%d %B %Y} · {statement.get_kind_display()}",
            base_url + statement.get_absolute_url(),
            "",
        ]
    lines += [
        _("All of them: %(url)s") % {"url": base_url + criteria.list_url()},
        "",
        _("Unsubscribe with one click: %(url)s") % {"url": unsubscribe},
    ]
    subject = ngettext(
        "New statement %(what)s", "%(count)d new statements %(what)s", len(statements)
    ) % {"count": len(statements), "what": criteria.describe()}
    return EmailMessage(
        subject[:200],
        "\n".join(lines) + "\n",
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def alerts_send(*, now: dt.datetime | None = None, base_url: str | None = None) -> SendReport:
    """Email every due subscription the new statements that match it, once each."""
    now = now or timezone.now()
    base_url = (base_url or settings.SITE_URL).rstrip("/")
    report = SendReport()
    for subscription in list(Subscription.objects.order_by("pk")):
        if not _due(subscription, now):
            continue
        statements = _claim(subscription)
        if not statements:
            continue
        try:
            _message(subscription, statements, base_url).send()
        except Exception as error:  # any failure to send: give the claims back
            logger.warning(
                "alert not sent", extra={"subscription": subscription.pk, "error": str(error)}
            )
            subscription.deliveries.filter(statement__in=statements, sent_at__isnull=True).delete()
            report.failed.append(f"{subscription.pk}: {error}")
            continue
        sent = timezone.now()
        subscription.deliveries.filter(statement__in=statements).update(sent_at=sent)
        Subscription.objects.filter(pk=subscription.pk).update(last_sent_at=sent)
        report.messages += 1
        report.statements += len(statements)
    return report
