"""API endpoints of the reading app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "reading_api"
urlpatterns: list = []
