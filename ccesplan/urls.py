from django.contrib import admin
from django.urls import include, path

from actions.views import HomeView
from ccesplan.views import AccessibilityStatementView, FaviconView
from sso.views import SignInView, SignOutView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("targets/", include("targets.urls")),
    path("indicators/", include("indicators.urls")),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("imports/", include("actions.imports.urls")),
    path("public/", include("public.urls")),
    # Before Django's own: sign-in offers the council's accounts, sign-out ends the provider's session too.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/council/", include("sso.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (Django's admin): the council's icon.
    path("favicon.ico", FaviconView.as_view()),
]
