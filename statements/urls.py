from django.urls import path

from statements import views

app_name = "statements"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("statements/<slug:slug>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path(
        "resolutions/<int:number>/",
        views.ResolutionDetailView.as_view(),
        name="resolution-detail",
    ),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
]
