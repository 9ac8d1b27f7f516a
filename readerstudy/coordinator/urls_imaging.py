"""HTML pages of the imaging app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.coordinator.views import imports as views
from readerstudy.coordinator.views import rois as views_rois

app_name = "imaging"
urlpatterns = [
    path("studies/<slug:slug>/imports/new/", views.import_new, name="import_new"),
    path("studies/<slug:slug>/imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path(
        "studies/<slug:slug>/cases/<int:case_id>/rois/<slug:sequence_key>/",
        views_rois.roi_page,
        name="rois",
    ),
]
