from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions.views import HomeView
from api.tokens import ApiTokensView, RevokeApiTokenView
from ccesplan.views import AccessibilityStatementView, FaviconView
from sso.views import SignInView, SignOutView, ThrottledPasswordChangeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("targets/", include("targets.urls")),
    path("indicators/", include("indicators.urls")),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("imports/", include("actions.imports.urls")),
    path("downloads/", include("downloads.urls")),
    path("public/", include("public.urls")),
    path("api/", include("api.urls")),
    # Before Django's own: sign-in offers the council's accounts, sign-out ends the provider's session too.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/council/", include("sso.urls")),
    path("accounts/api-tokens/", ApiTokensView.as_view(), name="api-tokens"),
    path("accounts/api-tokens/<str:token_key>/revoke/", RevokeApiTokenView.as_view(), name="revoke-api-token"),
    # Password change only, throttled. Password reset is off: accounts come from the council's sign-in or are
    # made by a plan admin, no mail is sent, and a lost password is reset by a plan admin (see the README).
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (Django's admin): the council's icon.
    path("favicon.ico", FaviconView.as_view()),
]
