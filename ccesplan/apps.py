from django.contrib.admin.apps import AdminConfig


class PlanAdminConfig(AdminConfig):
    """django.contrib.admin, with the plan's own admin site (who may enter it)."""

    default_site = "ccesplan.admin_site.PlanAdminSite"
