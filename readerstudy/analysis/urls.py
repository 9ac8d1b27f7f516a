"""HTML pages of the analysis app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.analysis import views

app_name = "analysis"

S = "studies/<slug:slug>/analysis/"
urlpatterns = [
    path(S, views.analysis_page, name="page"),
    path(S + "run/", views.analysis_start, name="start"),
    path(S + "runs/<int:run_id>/report/", views.analysis_report, name="report"),
    path(S + "runs/<int:run_id>/files/<str:filename>", views.analysis_download, name="download"),
]
