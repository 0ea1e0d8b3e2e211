from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.PublicHomeView.as_view(), name="home"),
    path("targets/<int:number>/", views.PublicTargetView.as_view(), name="target"),
    path("actions/", views.PublicActionListView.as_view(), name="actions"),
    path("actions/<int:number>/", views.PublicActionView.as_view(), name="action"),
    path("reports/", views.PublicReportListView.as_view(), name="reports"),
    path("reports/<str:period>/", views.PublicReportView.as_view(), name="report"),
    path("data/", views.OpenDataView.as_view(), name="data"),
    path("data/<slug:dataset>.csv", views.DatasetView.as_view(format="csv"), name="dataset-csv"),
    path("data/<slug:dataset>.json", views.DatasetView.as_view(format="json"), name="dataset-json"),
    path("data/<slug:dataset>.schema.json", views.DatasetSchemaView.as_view(), name="dataset-schema"),
    path("reports/<str:period>/export.xlsx", views.PublicReportExportView.as_view(), name="report-export"),
]
