"""HTML pages of the reading app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.reading.views import pages

app_name = "reading"
urlpatterns = [
    path("read/", pages.worklist, name="worklist"),
    path("read/<slug:slug>/", pages.study_assignments, name="study"),
    path("read/<slug:slug>/<int:read_order>/", pages.read, name="read"),
    path("read/<slug:slug>/<int:read_order>/reopen", pages.reopen, name="reopen"),
]
