from django.urls import path

from indicators.imports import views

# Included under indicators/ (app_name "indicators"), so names carry an "import-" prefix.
urlpatterns = [
    path("", views.ValuesImportHistoryView.as_view(), name="import-history"),
    path("upload/", views.ValuesUploadView.as_view(), name="import-upload"),
    path("pending/<uuid:pk>/", views.ValuesPreviewView.as_view(), name="import-preview"),
    path("pending/<uuid:pk>/confirm/", views.ValuesConfirmView.as_view(), name="import-confirm"),
    path("pending/<uuid:pk>/cancel/", views.ValuesCancelView.as_view(), name="import-cancel"),
    path("<int:pk>/undo/", views.ValuesUndoView.as_view(), name="import-undo"),
]
