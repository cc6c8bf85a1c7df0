"""The browsable API under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from rest_framework import renderers

# DRF's page sets two buttons' layout with the same style attribute; 'unsafe-hashes' with
# its hash allows exactly that attribute value and nothing else inline.
BROWSABLE_API_POLICY = {
    "style-src": ["'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"],
}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_context(self, data: Any, accepted_media_type: str, renderer_context: dict) -> dict:
        context = super().get_context(data, accepted_media_type, renderer_context)
        # Pygments' CSS would be an inline <style> block; descriptions lose only colours.
        context["code_style"] = None
        # What django-csp's @csp_update sets; a renderer has no view to decorate.
        renderer_context["response"]._csp_update = BROWSABLE_API_POLICY
        return context
