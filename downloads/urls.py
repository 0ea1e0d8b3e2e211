from django.urls import path

from downloads import views

app_name = "downloads"

urlpatterns = [
    path("", views.DownloadListView.as_view(), name="list"),
    path("<uuid:token>/", views.DownloadDetailView.as_view(), name="detail"),
    path("<uuid:token>/file", views.DownloadFileView.as_view(), name="file"),
]
