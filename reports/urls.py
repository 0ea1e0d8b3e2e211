from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<str:period>/", views.QuarterlyReportView.as_view(), name="quarterly"),
    path("<str:period>/export.xlsx", views.QuarterlyReportExportView.as_view(), name="export"),
    path("<str:period>/close/", views.ClosePeriodView.as_view(), name="close"),
    path("<str:period>/reopen/", views.ReopenPeriodView.as_view(), name="reopen"),
    # A snapshot's permanent address: it shows what was stored when the period closed, for ever.
    path("<str:period>/snapshots/<int:snapshot>/", views.QuarterlyReportView.as_view(), name="snapshot"),
    path(
        "<str:period>/snapshots/<int:snapshot>/export.xlsx",
        views.QuarterlyReportExportView.as_view(),
        name="snapshot-export",
    ),
]
