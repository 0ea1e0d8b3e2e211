from django.contrib import admin

from sso.models import ProviderIdentity


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(admin.ModelAdmin):
    """Read-only: identities are made and kept by signing in. Deleting one unlinks the council account,
    so its next sign-in makes a new tracker account."""

    list_display = ("user", "subject", "issuer", "created_at", "last_signed_in_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "issuer", "subject", "created_at", "last_signed_in_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
