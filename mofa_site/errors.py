"""The site's error pages: Django's own, except under /api/, where a client gets the API's
JSON error shape even for a URL that matches no route."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def error_body(status_code: int, code: str, detail: str, **extra) -> dict:
    """The API's error shape: {"status": 400, "code": "invalid", "detail": "…", ...}."""
    return {"status": status_code, "code": code, "detail": str(detail), **extra}


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A JSON 404 under /api/ (URLs that match no route), Django's page everywhere else."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body(
                404, "not_found", _("No API resource at %(path)s.") % {"path": request.path}
            ),
            status=404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body(500, "server_error", _("Something went wrong on our side.")), status=500
        )
    return defaults.server_error(request)
