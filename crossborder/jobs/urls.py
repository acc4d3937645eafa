from __future__ import annotations

from django.urls import path

from crossborder.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status", views.job_status, name="status"),
    path("<int:pk>/file", views.job_file, name="file"),
]
