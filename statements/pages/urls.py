from django.contrib.sitemaps import views as sitemaps
from django.urls import path

from statements.pages import alerts, feeds, views
from statements.pages.sitemaps import SITEMAPS

app_name = "statements"

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/feed/", views.cache_for_readers(feeds.StatementFeed()), name="statement-feed"),
    path("statements/preview/<int:pk>/", views.statement_preview, name="statement-preview"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement-detail"),
    path("statements/<slug:slug>/akn.xml", views.statement_akn, name="statement-akn"),
    path("resolutions/", views.resolution_list, name="resolution-list"),
    path("resolutions/<int:number>/", views.resolution_detail, name="resolution-detail"),
    path(
        "resolutions/<int:number>/feed/",
        views.cache_for_readers(feeds.ResolutionFeed()),
        name="resolution-feed",
    ),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    path("people/", views.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path(
        "people/<slug:slug>/feed/",
        views.cache_for_readers(feeds.PersonFeed()),
        name="person-feed",
    ),
    path("search/", views.search_page, name="search"),
    path("search/feed/", views.cache_for_readers(feeds.SearchFeed()), name="search-feed"),
    path("alerts/", alerts.alert_form, name="alert"),
    path("alerts/sent/", alerts.alert_sent, name="alert-sent"),
    path("alerts/confirm/<str:token>/", alerts.alert_confirm, name="alert-confirm"),
    path("alerts/unsubscribe/<str:token>/", alerts.alert_unsubscribe, name="alert-unsubscribe"),
    path(
        "sitemap.xml",
        views.cache_for_readers(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "statements:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        views.cache_for_readers(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
