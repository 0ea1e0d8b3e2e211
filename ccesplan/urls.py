from django.contrib import admin
from django.urls import include, path

from actions.views import PlanOverviewView
from ccesplan.views import AccessibilityStatementView

admin.site.site_header = "Climate action plan tracker"
admin.site.site_title = "Climate action plan admin"
admin.site.index_title = "Plan administration"

urlpatterns = [
    path("", PlanOverviewView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
