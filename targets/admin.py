from django.contrib import admin

from actions.admin import PlanAdminsOnly
from targets.models import Target


@admin.register(Target)
class TargetAdmin(PlanAdminsOnly, admin.ModelAdmin):
    list_display = ("number", "short_title", "title", "target_year", "title_reconstructed")
    list_filter = ("title_reconstructed",)
    search_fields = ("title", "short_title", "description")
