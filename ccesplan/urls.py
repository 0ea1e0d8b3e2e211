from django.contrib import admin
from django.urls import include, path

from actions.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("targets/", include("targets.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
