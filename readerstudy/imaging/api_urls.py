"""API endpoints of the imaging app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "imaging_api"
urlpatterns: list = []
