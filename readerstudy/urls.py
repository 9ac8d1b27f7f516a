from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from readerstudy.coordinator.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("readerstudy.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("readerstudy.coordinator.urls")),
    path("", include("readerstudy.reading.urls")),
    path("", include("readerstudy.analysis.urls")),
    path("api/", include("readerstudy.coordinator.api_urls")),
    path("api/", include("readerstudy.reading.api_urls")),
    path("api/", include("readerstudy.analysis.api_urls")),
]
