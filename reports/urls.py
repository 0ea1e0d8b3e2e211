from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<str:period>/", views.QuarterlyReportView.as_view(), name="quarterly"),
    path("<str:period>/export.xlsx", views.QuarterlyReportExportView.as_view(), name="export"),
]
