from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("", views.TargetListView.as_view(), name="list"),
    path("<int:number>/", views.TargetDetailView.as_view(), name="detail"),
]
