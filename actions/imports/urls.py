from django.urls import path

from actions.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportHistoryView.as_view(), name="history"),
    path("upload/", views.ImportUploadView.as_view(), name="upload"),
    path("pending/<uuid:pk>/", views.ImportPreviewView.as_view(), name="preview"),
    path("pending/<uuid:pk>/choose/", views.ImportChooseView.as_view(), name="choose"),
    path("pending/<uuid:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("pending/<uuid:pk>/cancel/", views.ImportCancelView.as_view(), name="cancel"),
    path("<int:pk>/undo/", views.ImportUndoView.as_view(), name="undo"),
]
