"""The Django admin for plan admins and, scoped to their own actions, officers. Managers have no admin."""

from django.contrib import admin

from actions.permissions import RECORD_STATUS


class PlanAdminSite(admin.AdminSite):
    site_header = "Climate action plan tracker"
    site_title = "Climate action plan admin"
    index_title = "Plan administration"

    def has_permission(self, request):
        # Staff status alone is not enough: a manager marked as staff still has no admin.
        return super().has_permission(request) and request.user.has_perm(RECORD_STATUS)
