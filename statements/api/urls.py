"""The API's routes, mounted at /api/v1/ by mofa_site/urls.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from statements.api import views

router = DefaultRouter()
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
