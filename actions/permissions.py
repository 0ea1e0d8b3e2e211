"""Who may see the plan. Officers, managers and plan admins all read it; the
public may too where the council opens it (CCES_PUBLIC_READ)."""

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied

READ_PLAN = "actions.view_action"


def can_read_plan(user) -> bool:
    return settings.CCES_PUBLIC_READ or (user.is_authenticated and user.has_perm(READ_PLAN))


class PlanReaderRequiredMixin(AccessMixin):
    """Read-only plan pages: anonymous visitors go to sign-in (unless the plan is public); others need READ_PLAN."""

    def dispatch(self, request, *args, **kwargs):
        if not can_read_plan(request.user):
            if not request.user.is_authenticated:
                return self.handle_no_permission()
            raise PermissionDenied("Your account cannot read the action plan. Ask a plan admin to give you a role.")
        return super().dispatch(request, *args, **kwargs)


IMPORT_PLAN = "actions.add_importbatch"


class PlanAdminRequiredMixin(PermissionRequiredMixin):
    """Imports and their undo: plan admins only. Anonymous visitors go to sign-in; others get 403."""

    permission_required = IMPORT_PLAN
    permission_denied_message = "Only plan admins can import spreadsheets."
