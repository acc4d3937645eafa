from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from crossborder import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.urls(), "api"))),
    path("", include("reports.urls")),
]
