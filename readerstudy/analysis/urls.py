"""HTML pages of the analysis app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "analysis"
urlpatterns: list = []
