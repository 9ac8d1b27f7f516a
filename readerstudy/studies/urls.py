"""HTML pages of the studies app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "studies"
urlpatterns: list = []
