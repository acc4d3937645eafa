from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from crossborder import health, monitoring
from crossborder.api import urls as api_urls

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", monitoring.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("crossborder.accounts.urls")),
    path("jobs/", include("crossborder.jobs.urls")),
    path("api/v1/", include((api_urls.urls(), "api"))),
    path("", include("reports.urls")),
]
