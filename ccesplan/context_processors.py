from django.urls import reverse

from actions.permissions import IMPORT_PLAN, RECORD_STATUS, REVIEW_UPDATES
from ccesplan.plan import current_plan


def navigation(request):
    """The service navigation, with the current section marked for screen readers and sight."""
    if getattr(request.resolver_match, "namespace", "") == "public":
        return {"nav_items": []}  # the public site has its own, and must not read the session
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
    if user.has_perm(REVIEW_UPDATES):
        items.append(("Review", reverse("actions:review-queue")))
    items.append(("Reports", reverse("reports:index")))
    if user.has_perm(IMPORT_PLAN):
        items.append(("Imports", reverse("imports:history")))
    if user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    # The longest matching section wins: /actions/review/ is Review, not Actions.
    matching = [href for _, href in items if path == href or (href != "/" and path.startswith(href))]
    current = max(matching, key=len, default=None)
    return {"nav_items": [{"label": label, "href": href, "current": href == current} for label, href in items]}


def plan(request):
    """The plan's name and council (ccesplan.plan), for every page's header."""
    return {"plan": current_plan()}
