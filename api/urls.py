from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import errors, views

app_name = "api"

urlpatterns = [
    path("v1/", views.ApiRootView.as_view(), name="root"),
    path("v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/docs/", views.ApiDocsView.as_view(), name="docs"),
    path("v1/targets/", views.TargetListView.as_view(), name="targets"),
    path("v1/targets/<int:number>/", views.TargetDetailView.as_view(), name="target"),
    path("v1/actions/", views.ActionListView.as_view(), name="actions"),
    path("v1/actions/<int:number>/", views.ActionDetailView.as_view(), name="action"),
    path("v1/periods/", views.PeriodListView.as_view(), name="periods"),
    path("v1/reports/", views.ReportListView.as_view(), name="reports"),
    path("v1/reports/<str:period>/", views.ReportView.as_view(), name="report"),
    path("v1/indicators/", views.IndicatorListView.as_view(), name="indicators"),
    re_path(r"^[\s\S]*$", errors.not_found),  # [\s\S], not ".": an address with a newline in it too
]
