from django.urls import reverse

from actions.permissions import RECORD_STATUS, records_own_actions_only


def navigation(request):
    """The service navigation, with the current section marked for screen readers and sight."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Officers' home is "My actions" ("/" sends them there), so the overview link would only loop back.
    items = [] if records_own_actions_only(user) else [("Plan overview", reverse("home"))]
    if user.has_perm(RECORD_STATUS):
        items.append(("My actions", reverse("actions:mine")))
    items.append(("Reports", reverse("reports:index")))
    if user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return {
        "nav_items": [
            {"label": label, "href": href, "current": path == href or (href != "/" and path.startswith(href))}
            for label, href in items
        ]
    }
