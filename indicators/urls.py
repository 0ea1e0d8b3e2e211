from django.urls import include, path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.IndicatorListView.as_view(), name="list"),
    path("export.csv", views.ValuesExportView.as_view(format="csv"), name="export-csv"),
    path("export.xlsx", views.ValuesExportView.as_view(format="xlsx"), name="export-xlsx"),
    path("imports/", include("indicators.imports.urls")),
    path("<slug:slug>/", views.IndicatorDetailView.as_view(), name="detail"),
    path("<slug:slug>/record/", views.ValueCreateView.as_view(), name="record"),
]
