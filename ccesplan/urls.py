from django.contrib import admin
from django.urls import include, path

from actions.views import PlanOverviewView

admin.site.site_header = "Climate action plan tracker"
admin.site.site_title = "Climate action plan admin"
admin.site.index_title = "Plan administration"

urlpatterns = [
    path("", PlanOverviewView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("imports/", include("actions.import_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
