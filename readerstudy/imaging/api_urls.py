"""API endpoints of the imaging app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.imaging import api

app_name = "imaging_api"
urlpatterns = [
    path(
        "studies/<slug:slug>/imports/<int:job_id>/progress/",
        api.import_progress,
        name="import_progress",
    ),
]
