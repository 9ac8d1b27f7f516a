"""API endpoints of the imaging app (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.coordinator.api import imports as api
from readerstudy.coordinator.views import rois as views_rois

app_name = "imaging_api"
urlpatterns = [
    path(
        "studies/<slug:slug>/imports/<int:job_id>/progress/",
        api.import_progress,
        name="import_progress",
    ),
    path(
        "studies/<slug:slug>/cases/<int:case_id>/rois/<slug:sequence_key>/",
        views_rois.PairROIsView.as_view(),
        name="rois",
    ),
    path(
        "studies/<slug:slug>/cases/<int:case_id>/rois/<slug:sequence_key>/slices",
        views_rois.PairPixelsView.as_view(),
        name="roi_slices",
    ),
    path("studies/<slug:slug>/rois/<int:roi_id>/", views_rois.ROIView.as_view(), name="roi"),
]
