"""HTML pages of the imaging app (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.imaging import views

app_name = "imaging"
urlpatterns = [
    path("studies/<slug:slug>/imports/new/", views.import_new, name="import_new"),
    path("studies/<slug:slug>/imports/<int:job_id>/", views.import_detail, name="import_detail"),
]
