from django.contrib import admin
from django.urls import include, path

from actions.views import PlanOverviewView

urlpatterns = [
    path("", PlanOverviewView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
