"""API endpoints of the analysis app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.analysis import api

app_name = "analysis_api"

S = "studies/<slug:slug>/analysis/"
urlpatterns = [
    path(S + "runs", api.RunListView.as_view(), name="runs"),
    path(S + "runs/<int:run_id>", api.RunDetailView.as_view(), name="run"),
]
