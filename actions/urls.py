from django.urls import path

from actions import reviews, views

app_name = "actions"

urlpatterns = [
    path("mine/", views.MyActionsView.as_view(), name="mine"),
    path("", views.ActionListView.as_view(), name="list"),
    path("export.csv", views.ActionExportView.as_view(format="csv"), name="export-csv"),
    path("export.xlsx", views.ActionExportView.as_view(format="xlsx"), name="export-xlsx"),
    path("<int:number>/", views.ActionDetailView.as_view(), name="detail"),
    path("<int:number>/update/", views.StatusUpdateView.as_view(), name="update"),
    path("review/", reviews.ReviewQueueView.as_view(), name="review-queue"),
    path("review/approve/", reviews.ApproveSelectedView.as_view(), name="review-approve"),
    path("review/<int:pk>/", reviews.ReviewUpdateView.as_view(), name="review"),
]
