from django.urls import reverse

from actions.permissions import IMPORT_PLAN, RECORD_STATUS


def navigation(request):
    """The service navigation, with the current section marked for screen readers and sight."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("Actions", reverse("actions:list")),
        ("Targets", reverse("targets:list")),
        ("Indicators", reverse("indicators:list")),
    ]
    if user.has_perm(RECORD_STATUS):
        items.insert(0, ("My actions", reverse("actions:mine")))
    items.append(("Reports", reverse("reports:index")))
    if user.has_perm(IMPORT_PLAN):
        items.append(("Imports", reverse("imports:history")))
    if user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return {
        "nav_items": [
            {"label": label, "href": href, "current": path == href or (href != "/" and path.startswith(href))}
            for label, href in items
        ]
    }
