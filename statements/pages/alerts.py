"""The email alert pages: ask for an alert on any list or search, confirm it from the
link mailed, leave it from the link in every message. Never cached: each answers one
reader. What they write goes through ``statements.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from statements import services
from statements.models import Statement, Subscription
from statements.search import MAX_QUERY_LENGTH

# What the page and the mail say either way: whether the address was new, already
# subscribed or cannot receive mail is never told.
SENT_MESSAGE = _(
    "If this address can receive email, a confirmation link is on its way to it. The "
    "alert starts when you follow that link, within 3 days."
)


class CriteriaForm(forms.Form):
    """The followed list's filters, as its URL names them."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, widget=forms.HiddenInput)
    resolution = forms.IntegerField(
        required=False, min_value=1, max_value=9999, widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", ""), *Statement.Kind.choices], widget=forms.HiddenInput
    )
    year = forms.IntegerField(
        required=False, min_value=1945, max_value=2100, widget=forms.HiddenInput
    )
    speaker = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def criteria(self) -> services.AlertCriteria:
        data = self.cleaned_data
        return services.AlertCriteria(
            q=data["q"].strip(),
            resolution=data["resolution"],
            kind=data["kind"],
            year=data["year"],
            speaker=data["speaker"].strip(),
        )


class AlertForm(CriteriaForm):
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    field_order = ["email", "frequency"]


@never_cache
def alert_form(request: HttpRequest) -> HttpResponse:
    """GET: the form for the filters in the query string (a bad filter is a 400 that
    says which); POST: mail the confirmation link."""
    template = "statements/alert_form.html"
    if request.method != "POST":
        criteria = CriteriaForm(request.GET)
        if not criteria.is_valid():
            return _page(request, template, {"criteria_form": criteria}, 400)
        form = AlertForm(initial=criteria.cleaned_data)
        return _page(request, template, {"form": form, "what": criteria.criteria().describe()})
    form = AlertForm(request.POST)
    if not form.is_valid():
        return _page(request, template, {"form": form, "criteria_form": form}, 400)
    try:
        services.alert_request(
            email=form.cleaned_data["email"],
            criteria=form.criteria(),
            frequency=form.cleaned_data["frequency"],
            client=request.META.get("REMOTE_ADDR", ""),
            absolute=request.build_absolute_uri,
        )
    except services.AlertRateLimited as error:
        context = {"form": form, "what": form.criteria().describe(), "error": error}
        return _page(request, template, context, 429)
    return redirect("statements:alert-sent")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _said(
    request: HttpRequest, title: str, message: Any, status: int = 200, **extra
) -> HttpResponse:
    """A page that only says something."""
    context = {"title": title, "message": message, **extra}
    return _page(request, "statements/alert_message.html", context, status)


def _asked(
    request: HttpRequest, title: str, button: str, action: str, intro: str = ""
) -> HttpResponse:
    """A page with one button that POSTs to ``action``."""
    context = {"title": title, "button": button, "action": action, "intro": intro}
    return _page(request, "statements/alert_action.html", context)


@never_cache
def alert_sent(request: HttpRequest) -> HttpResponse:
    return _said(request, _("Check your inbox"), SENT_MESSAGE)


@never_cache
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for one click (mail scanners open links, and must not confirm); POST confirms."""
    if request.method != "POST":
        action = reverse("statements:alert-confirm", kwargs={"token": token})
        return _asked(request, _("Confirm your email alert"), _("Confirm the alert"), action)
    try:
        subscription = services.alert_confirm(token=token)
    except services.AlertLinkError as error:
        return _said(request, _("Link not valid"), error, 400)
    criteria = services.AlertCriteria.from_json(subscription.criteria)
    message = _("You will be emailed new statements %(what)s.") % {"what": criteria.describe()}
    return _said(request, _("Your alert is on"), message, list_url=criteria.list_url())


@csrf_exempt  # RFC 8058: mail clients POST here without a form; the signed link is the key
@never_cache
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = services.subscription_for(token)
    except services.AlertLinkError as error:
        return _said(request, _("Link not valid"), error, 400)
    if request.method == "POST":
        services.alert_unsubscribe(token=token)
        return _said(
            request, _("Unsubscribed"), _("You will get no more messages from this alert.")
        )
    if subscription is None:
        return _said(request, _("Unsubscribed"), _("This alert had already been stopped."))
    criteria = services.AlertCriteria.from_json(subscription.criteria)
    return _asked(
        request,
        _("Stop this email alert?"),
        _("Unsubscribe"),
        reverse("statements:alert-unsubscribe", kwargs={"token": token}),
        intro=_("New statements %(what)s.") % {"what": criteria.describe()},
    )
