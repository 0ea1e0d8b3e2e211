from django import forms
from django.contrib import admin

from actions.admin import PlanAdminsOnly
from targets.models import Target


class TargetAdminForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = (
            "number",
            "title",
            "short_title",
            "target_year",
            "description",
            "source_header",
            "title_reconstructed",
        )
        # A title is a sentence of up to 200 characters: a box that wraps shows all of it (static/css/admin.css
        # gives it the form's width).
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField app-admin-title"})}

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())  # one line, as on every page that shows it


@admin.register(Target)
class TargetAdmin(PlanAdminsOnly, admin.ModelAdmin):
    form = TargetAdminForm
    list_display = ("number", "short_title", "title", "target_year", "title_reconstructed")
    list_filter = ("title_reconstructed",)
    search_fields = ("title", "short_title", "description")
