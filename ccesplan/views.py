from django.conf import settings
from django.shortcuts import render
from django.views.generic import TemplateView


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in on a locked account (AXES_LOCKOUT_CALLABLE): a page, not a bare string."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


class AccessibilityStatementView(TemplateView):
    """Public, like every UK public sector body's statement: no sign-in needed."""

    template_name = "accessibility.html"
