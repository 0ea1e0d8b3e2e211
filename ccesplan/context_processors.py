from django.urls import reverse


def navigation(request):
    """The service navigation, with the current section marked for screen readers and sight."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Plan overview", reverse("home"))]
    if user.has_perm("actions.add_importbatch"):
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
