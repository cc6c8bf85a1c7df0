"""The API's routes, mounted at /api/v1/ by mofa_site/urls.py."""

from django.urls import path
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView, DefaultRouter

from statements.api import views


class ArchiveRootView(APIRootView):
    """The collections, then where to read about them and take everything at once."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data.update(
            export=reverse("api:export-statements", request=request),
            docs=reverse("api-docs", request=request),
            schema=reverse("api-schema", request=request),
        )
        return response


router = DefaultRouter()
router.APIRootView = ArchiveRootView
router.register("statements", views.StatementViewSet, basename="statement")
router.register("paragraphs", views.ParagraphViewSet, basename="paragraph")
router.register("resolutions", views.ResolutionViewSet, basename="resolution")
router.register("meetings", views.MeetingViewSet, basename="meeting")

app_name = "api"
urlpatterns = [
    path(
        "export/statements.jsonl",
        views.StatementExportView.as_view(),
        name="export-statements",
    ),
    *router.urls,
]
