from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.generic import RedirectView, TemplateView


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in on a locked account (AXES_LOCKOUT_CALLABLE): a page, not a bare string."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


class AccessibilityStatementView(TemplateView):
    """Public, like every UK public sector body's statement: no sign-in needed."""

    template_name = "accessibility.html"


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages that name no icon (Django's admin): the council's
    icon. The address is looked up per request, since the hashed static name exists only once collected."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("images/favicon.ico")
