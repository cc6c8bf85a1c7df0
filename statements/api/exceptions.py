"""One JSON error shape for every API failure, raised by DRF or by Django:

    {"status": 400, "code": "invalid", "detail": "…", "errors": {"year": ["…"]}}

``errors`` appears only for invalid input and maps each parameter or field to its problems.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mofa_site.errors import error_body
from statements.services import StaleVersionError

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
NON_FIELD_DJANGO = "__all__"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, StaleVersionError):
        return Response(
            error_body(
                status.HTTP_409_CONFLICT,
                "stale_version",
                _("Someone saved this statement since you loaded it; reload and reapply."),
                current_version=exc.current_version,
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        if NON_FIELD_DJANGO in errors:
            errors[NON_FIELD] = errors.pop(NON_FIELD_DJANGO)
        exc = exceptions.ValidationError(errors)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        response.data = error_body(
            response.status_code, "invalid", _("The request is invalid."), errors=errors
        )
    else:
        detail = getattr(exc, "detail", response.data.get("detail", ""))
        code = detail.code if isinstance(detail, exceptions.ErrorDetail) else "error"
        response.data = error_body(response.status_code, code, detail)
    return response
