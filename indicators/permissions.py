"""Who may record indicator values: owners for their own indicators, plan admins for any; everyone who
reads the plan reads indicators. Which indicators is IndicatorQuerySet.editable_by(user)."""

from django.contrib.auth.mixins import AccessMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

RECORD_VALUE = "indicators.add_indicatorvalue"
EDIT_ANY_INDICATOR = "indicators.change_indicator"
IMPORT_VALUES = "indicators.add_indicatorimport"


class IndicatorEditorRequiredMixin(AccessMixin):
    """Recording a value of one indicator (`self.indicator`): anonymous -> sign-in, no such indicator -> 404,
    one the user may not record -> 403."""

    def dispatch(self, request, *args, **kwargs):
        from indicators.models import Indicator

        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.indicator = Indicator.objects.editable_by(request.user).filter(slug=kwargs["slug"]).first()
        if self.indicator is None:
            get_object_or_404(Indicator, slug=kwargs["slug"])
            raise PermissionDenied("Only this indicator's owners and plan admins can record its values.")
        return super().dispatch(request, *args, **kwargs)


class ValuesImporterRequiredMixin(PermissionRequiredMixin):
    permission_required = IMPORT_VALUES
    permission_denied_message = "Only plan admins can import indicator values."
