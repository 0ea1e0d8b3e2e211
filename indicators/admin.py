"""The admin: plan admins keep indicators and their goals; values and imports are read-only history."""

from django.contrib import admin

from actions.admin import PlanAdminsOnly, ReadOnlyAdmin
from indicators.models import Indicator, IndicatorGoal, IndicatorImport, IndicatorValue


class GoalInline(admin.TabularInline):
    model = IndicatorGoal
    extra = 0


class ValueInline(admin.TabularInline):
    """The history, to look at: values are recorded through the form or an import, never edited."""

    model = IndicatorValue
    fk_name = "indicator"
    extra = 0
    fields = ("period", "value", "provisional", "source", "recorded_by", "recorded_at", "supersedes", "note")
    readonly_fields = fields
    ordering = ("period", "recorded_at", "pk")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(PlanAdminsOnly, admin.ModelAdmin):
    list_display = ("name", "unit", "direction", "frequency", "position")
    list_filter = ("targets", "frequency", "direction")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("targets", "owners")
    inlines = [GoalInline, ValueInline]

    def has_delete_permission(self, request, obj=None):
        return False  # values protect it; an indicator no longer used can be left out of lists by its position


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "value", "provisional", "source", "recorded_by", "recorded_at")
    list_filter = ("indicator", "source", "provisional")
    list_select_related = ("indicator", "recorded_by")


@admin.register(IndicatorImport)
class IndicatorImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "imported_by", "imported_at", "values_created", "undone_at")
    list_select_related = ("imported_by",)
