"""API endpoints of the reading app (mounted under /api/ by readerstudy/urls.py).

Paths follow docs/reading-api.md exactly (including where a trailing slash is and is not).
"""

from django.urls import path

from readerstudy.reading.api import views

app_name = "reading_api"
urlpatterns = [
    path("reading/worklist", views.WorklistView.as_view(), name="worklist"),
    path("reading/panes/<str:token>/slices", views.PanePixelsView.as_view(), name="pane-slices"),
    path("reading/<slug:slug>/tasks", views.TaskListView.as_view(), name="tasks"),
    path("reading/<slug:slug>/tasks/next", views.NextTaskView.as_view(), name="next"),
    path("reading/<slug:slug>/tasks/<int:number>/", views.TaskDetailView.as_view(), name="task"),
    path("reading/<slug:slug>/tasks/<int:number>/draft", views.DraftView.as_view(), name="draft"),
    path(
        "reading/<slug:slug>/tasks/<int:number>/submit",
        views.SubmitView.as_view(),
        name="submit",
    ),
]
