from django.contrib import admin
from django.urls import include, path

from actions.views import HomeView
from ccesplan.views import AccessibilityStatementView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("targets/", include("targets.urls")),
    path("indicators/", include("indicators.urls")),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("imports/", include("actions.imports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
