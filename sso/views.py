"""Sign-in, sign-out and the pages around them, for local passwords and the council's accounts."""

import logging
from urllib.parse import urlencode

import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ccesplan.views import locked_out
from sso import provider
from sso.backends import NO_ROLE

logger = logging.getLogger(__name__)


def unavailable(request, error):
    logger.error("Council sign-in unavailable: %s", error)
    return render(request, "sso/sign_in_failed.html", {"unavailable": True}, status=503)


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with your council account" when a provider is configured, and the
    username and password form unless CCES_PASSWORD_SIGN_IN is off (then a posted form is refused)."""

    def post(self, request, *args, **kwargs):
        if not settings.CCES_PASSWORD_SIGN_IN:
            raise PermissionDenied("Signing in with a password is switched off. Sign in with your council account.")
        return super().post(request, *args, **kwargs)


class CouncilSignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge (kept in the session)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # endpoints come from discovery

    def get(self, request):
        if not provider.configured():
            raise Http404("Council sign-in is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.metadata()["authorization_endpoint"]
        except provider.ProviderUnavailable as error:
            return unavailable(request, error)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CouncilCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. mozilla-django-oidc checks the state against the session
    and hands the nonce and PKCE verifier to the backend; a mismatch is refused here with a page."""

    def get(self, request):
        if not provider.configured():
            raise Http404("Council sign-in is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("Council sign-in refused: %s", error)
            return render(request, "sso/sign_in_failed.html", status=400)
        except requests.HTTPError as error:
            # The provider refused to exchange the code (a wrong PKCE verifier, say), or failed.
            logger.warning("Council sign-in refused by the provider's token endpoint: %s", error.response.status_code)
            if error.response.status_code < 500:
                return render(request, "sso/sign_in_failed.html", status=400)
            return unavailable(request, type(error).__name__)
        except (requests.RequestException, provider.ProviderUnavailable) as error:
            # Only the exception's class: a token endpoint's error text is not for the log.
            return unavailable(request, type(error).__name__)

    def login_failure(self):
        if getattr(self.request, "sso_refusal", None) == NO_ROLE:
            return HttpResponseRedirect(reverse("sso:no_access"))
        return render(self.request, "sso/sign_in_failed.html", status=400)

    def login_success(self):
        response = super().login_success()
        # The provider decides who may stay signed in (a leaver's disabled account); sign in again daily.
        self.request.session.set_expiry(settings.CCES_OIDC_SESSION_HOURS * 3600)
        return response


class NoAccessView(TemplateView):
    """For someone whose council account holds none of the groups that give a role here."""

    template_name = "sso/no_access.html"


class SignOutView(auth_views.LogoutView):
    """Ends the session here and, for someone who came through the provider and where it offers
    RP-initiated logout (end_session_endpoint), the provider's session too."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not provider.configured():
            return response
        try:
            end_session = provider.metadata().get("end_session_endpoint")
        except provider.ProviderUnavailable:
            return response  # signed out here; the provider's session ends when it expires
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("sso:signed_out")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


class SignedOutView(TemplateView):
    """Where the provider returns the browser after signing out there."""

    template_name = "registration/logged_out.html"


class ThrottledPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, throttled as sign-in is: a wrong current password counts as a failed sign-in for
    the account (django-axes, the same limit and cool-off), and a locked account is shown the lock-out page
    instead of being offered another guess. Otherwise a stolen session could try passwords without limit."""

    def credentials(self) -> dict:
        return {"username": self.request.user.get_username()}

    def post(self, request, *args, **kwargs):
        if AxesProxyHandler.is_locked(request, self.credentials()):
            return locked_out(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user_login_failed.send(sender=__name__, credentials=self.credentials(), request=self.request)
            if AxesProxyHandler.is_locked(self.request, self.credentials()):
                return locked_out(self.request)
        return super().form_invalid(form)
