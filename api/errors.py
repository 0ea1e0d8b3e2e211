"""Every API error is JSON: {"detail": "what is wrong"} (and, for bad filters, "problems": [...])."""

from django.http import JsonResponse
from rest_framework.views import exception_handler


def handle(exc, context):
    return exception_handler(exc, context)


def not_found(request, *args, **kwargs):
    """Any address under /api/ that is not the API's: JSON, not the site's HTML 404 page."""
    return JsonResponse({"detail": f"There is no API endpoint at {request.path}. See /api/v1/ for them."}, status=404)
