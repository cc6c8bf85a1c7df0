"""Request bodies: JSON only, and a body the decoder cannot hold is a 400, not a 500."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser turns a ValueError into a 400; JSON nested deeper than Python's
    recursion limit raises RecursionError instead, which reached the client as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
