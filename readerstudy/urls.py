from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from readerstudy.coordinator.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("readerstudy.accounts.urls")),
    path("admin/", admin.site.urls),
    # The API's map is for signed-in users (readers and coordinators), not for the world.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", permission_classes=[IsAuthenticated]
            )
        ),
        name="api-docs",
    ),
    path("", include("readerstudy.coordinator.urls")),
    path("", include("readerstudy.reading.urls")),
    path("", include("readerstudy.analysis.urls")),
    path("api/", include("readerstudy.coordinator.api_urls")),
    path("api/", include("readerstudy.reading.api_urls")),
    path("api/", include("readerstudy.analysis.api_urls")),
]
