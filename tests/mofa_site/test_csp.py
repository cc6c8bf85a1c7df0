"""Our CSPMiddleware (mofa_site/middleware.py) builds the settings' policies once and sends,
for every response, exactly the headers django-csp's own middleware sends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from mofa_site.middleware import CSPMiddleware


def plain(request: HttpRequest, response: HttpResponse) -> None:
    pass


def exempt(request: HttpRequest, response: HttpResponse) -> None:
    response._csp_exempt = True


def exempt_from_report_only(request: HttpRequest, response: HttpResponse) -> None:
    response._csp_exempt_ro = True


def its_own_header(request: HttpRequest, response: HttpResponse) -> None:
    response[HEADER] = "default-src 'none'"


def updated(request: HttpRequest, response: HttpResponse) -> None:
    response._csp_update = {"img-src": ["https://example.org"]}


def replaced_report_only(request: HttpRequest, response: HttpResponse) -> None:
    response._csp_replace_ro = {"img-src": ["https://example.org"]}


def a_nonce_used(request: HttpRequest, response: HttpResponse) -> None:
    str(request.csp_nonce)


RESPONSES: list[Callable[[HttpRequest, HttpResponse], None]] = [
    plain,
    exempt,
    exempt_from_report_only,
    its_own_header,
    updated,
    replaced_report_only,
    a_nonce_used,
]

REPORT_ONLY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"},
}


def headers(middleware: type, path: str, status: int, prepare: Callable) -> dict[str, str | None]:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("ok", status=status)
        prepare(request, response)
        return response

    response = middleware(view)(RequestFactory().get(path))
    # A nonce is new for every request: compared as a placeholder.
    return {
        name: re.sub(r"'nonce-[^']+'", "'nonce'", response[name]) if name in response else None
        for name in (HEADER, HEADER_REPORT_ONLY)
    }


@pytest.mark.parametrize("prepare", RESPONSES, ids=lambda prepare: prepare.__name__)
@pytest.mark.parametrize("path", ["/statements/", "/admin/statements/"])
@pytest.mark.parametrize("status", [200, 404, 500])
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("report_only", [False, True])
def test_every_response_gets_the_headers_django_csp_sends(
    settings, prepare, path, status, debug, report_only
):
    settings.DEBUG = debug
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = REPORT_ONLY
    ours = headers(CSPMiddleware, path, status, prepare)
    assert ours == headers(DjangoCSPMiddleware, path, status, prepare)
    if prepare is plain:  # not vacuous: sent but on Django's debug pages
        assert (ours[HEADER] is None) == (debug and status != 200)


def test_a_changed_policy_is_sent_at_once(settings):
    before = headers(CSPMiddleware, "/", 200, plain)[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert headers(CSPMiddleware, "/", 200, plain)[HEADER] == "default-src 'none'" != before


def test_no_policy_sends_no_header(settings):
    settings.CONTENT_SECURITY_POLICY = None
    assert headers(CSPMiddleware, "/", 200, plain) == {HEADER: None, HEADER_REPORT_ONLY: None}


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    request = RequestFactory().get("/")
    CSPMiddleware(lambda request: HttpResponse("ok"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_the_settings_policies_are_built_once_for_every_response(monkeypatch):
    from mofa_site import middleware

    built: list[bool] = []
    build_policy = middleware.build_policy

    def counting(**kwargs):
        built.append(kwargs["report_only"])
        return build_policy(**kwargs)

    monkeypatch.setattr(middleware, "build_policy", counting)
    middleware.settings_policy.cache_clear()
    first = [headers(CSPMiddleware, "/", 200, plain) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    assert sorted(built) == [False, True]
