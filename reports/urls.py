from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import followup_views, people_views, period_views, quality_views, views, year_views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/", people_views.people, name="people"),
    path("projects/<slug:slug>/", views.project_detail, name="project-detail"),
    path("actions/", views.action_list, name="action-list"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("reports/year/<int:year>/", year_views.year_report, name="year-report"),
    path("quality/", quality_views.data_quality, name="data-quality"),
    path("periods/", period_views.period_list, name="periods"),
    path("periods/<int:pk>/", period_views.period_detail, name="period-detail"),
    path("follow-ups/", followup_views.follow_up_list, name="follow-ups"),
    path("follow-ups/record/", followup_views.follow_up_record_view, name="follow-up-record"),
    path("follow-ups/download/", followup_views.follow_up_download, name="follow-up-download"),
    path("follow-ups/import/", followup_views.follow_up_import, name="follow-up-import"),
    # The dashboards' own login page (LOGIN_URL), in the site's look and language; the admin
    # keeps its own.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path(
        "accounts/logout/", auth_views.LogoutView.as_view(next_page="reports:login"), name="logout"
    ),
]
