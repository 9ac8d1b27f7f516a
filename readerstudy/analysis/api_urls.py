"""API endpoints of the analysis app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "analysis_api"
urlpatterns: list = []
