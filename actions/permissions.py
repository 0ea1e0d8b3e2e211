"""Who may see the plan and who may record its status.

Officers, managers and plan admins all read the plan; the public reads only the
public site (the `public` app), never these pages. Officers record status for the actions
they lead, plan admins for any; which actions those are is
ActionQuerySet.editable_by(user). Each view declares one of the mixins below."""

from django.contrib.auth.mixins import AccessMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

READ_PLAN = "actions.view_action"
# Officers hold RECORD_STATUS (for the actions they lead); plan admins also EDIT_ANY_ACTION.
RECORD_STATUS = "actions.add_statusupdate"
EDIT_ANY_ACTION = "actions.change_action"


def can_read_plan(user) -> bool:
    return user.is_authenticated and user.has_perm(READ_PLAN)


class PlanReaderRequiredMixin(AccessMixin):
    """Read-only plan pages: anonymous visitors go to sign-in; others need READ_PLAN."""

    def dispatch(self, request, *args, **kwargs):
        if not can_read_plan(request.user):
            if not request.user.is_authenticated:
                return self.handle_no_permission()
            raise PermissionDenied("Your account cannot read the action plan. Ask a plan admin to give you a role.")
        return super().dispatch(request, *args, **kwargs)


def records_own_actions_only(user) -> bool:
    """An officer: records status for the actions they lead, and no others. Their home is "My actions"."""
    return user.is_authenticated and user.has_perm(RECORD_STATUS) and not user.has_perm(EDIT_ANY_ACTION)


class StatusRecorderRequiredMixin(AccessMixin):
    """Pages for people who record status (officers, plan admins): anonymous -> sign-in, others -> 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(RECORD_STATUS):
            raise PermissionDenied("Only officers and plan admins record the status of actions.")
        return super().dispatch(request, *args, **kwargs)


class ActionEditorRequiredMixin(AccessMixin):
    """Recording status for one action (`self.action`): anonymous -> sign-in, no such action -> 404,
    an action the user may not edit (see ActionQuerySet.editable_by) -> 403."""

    number_url_kwarg = "number"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        number = kwargs[self.number_url_kwarg]
        from actions.models import Action  # models import this module

        self.action = Action.objects.editable_by(request.user).with_current_status().filter(number=number).first()
        if self.action is None:
            get_object_or_404(Action, number=number)
            raise PermissionDenied(
                f"You cannot record the status of action {number}: only its lead officers and plan admins can."
            )
        return super().dispatch(request, *args, **kwargs)


IMPORT_PLAN = "actions.add_importbatch"
# Managers by default: approve or return officers' updates (when CCES_REVIEW_UPDATES is on).
REVIEW_UPDATES = "actions.review_statusupdate"
# Plan admins: close a reporting period (freezing and publishing it) and reopen it.
CLOSE_PERIOD = "actions.close_reportingperiod"


class PlanAdminRequiredMixin(PermissionRequiredMixin):
    """Imports and their undo: plan admins only. Anonymous visitors go to sign-in; others get 403."""

    permission_required = IMPORT_PLAN
    permission_denied_message = "Only plan admins can import spreadsheets."
