"""API endpoints of the studies app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "studies_api"
urlpatterns: list = []
