from django.urls import path

from sso import views

app_name = "sso"
urlpatterns = [
    path("", views.CouncilSignInView.as_view(), name="start"),
    path("callback/", views.CouncilCallbackView.as_view(), name="callback"),
    path("no-access/", views.NoAccessView.as_view(), name="no_access"),
    path("signed-out/", views.SignedOutView.as_view(), name="signed_out"),
]
