"""Each user's API tokens, created and revoked by the user in the browser. A token is shown once, when it is
made; the service keeps only its digest (django-rest-knox), so a lost token is revoked and another made."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView, View
from knox.models import AuthToken

MAX_TOKENS = 10  # a person needs one or two; a cap keeps a runaway script from filling the table


class ApiTokensView(LoginRequiredMixin, TemplateView):
    template_name = "api/tokens.html"

    def get_context_data(self, **kwargs):
        tokens = AuthToken.objects.filter(user=self.request.user).order_by("-created")
        return {
            **super().get_context_data(**kwargs),
            "tokens": tokens,
            "max_tokens": MAX_TOKENS,
            "token_days": settings.CCES_API_TOKEN_DAYS,
        }

    def post(self, request, *args, **kwargs):
        if AuthToken.objects.filter(user=request.user).count() >= MAX_TOKENS:
            messages.error(request, f"You have {MAX_TOKENS} tokens already: revoke one you no longer use first.")
            return redirect("api-tokens")
        _, token = AuthToken.objects.create(user=request.user)
        return self.render_to_response(self.get_context_data(new_token=token))


class RevokeApiTokenView(LoginRequiredMixin, View):
    def post(self, request, token_key):
        deleted, _ = AuthToken.objects.filter(user=request.user, token_key=token_key).delete()
        if deleted:
            messages.success(request, f"Token {token_key}… is revoked: it no longer works.")
        else:
            messages.error(request, "That token is not one of yours, or it was revoked already.")
        return redirect("api-tokens")
