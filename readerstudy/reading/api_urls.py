"""API endpoints of the reading app (mounted under /api/ by readerstudy/urls.py).

Paths follow docs/reading-api.md exactly (including where a trailing slash is and is not). An
assignment is addressed by its read order: its 1-based position in the reader's own order.
"""

from django.urls import path

from readerstudy.reading.api import views

ASSIGNMENT = "reading/<slug:slug>/assignments/<int:read_order>/"

app_name = "reading_api"
urlpatterns = [
    path("reading/worklist", views.WorklistView.as_view(), name="worklist"),
    path("reading/panes/<str:token>/slices", views.PanePixelsView.as_view(), name="pane-slices"),
    path(
        "reading/<slug:slug>/assignments",
        views.AssignmentListView.as_view(),
        name="assignments",
    ),
    path(
        "reading/<slug:slug>/assignments/next",
        views.NextAssignmentView.as_view(),
        name="next",
    ),
    path(ASSIGNMENT, views.AssignmentDetailView.as_view(), name="assignment"),
    path(ASSIGNMENT + "draft", views.DraftView.as_view(), name="draft"),
    path(ASSIGNMENT + "submit", views.SubmitView.as_view(), name="submit"),
]
