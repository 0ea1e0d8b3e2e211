"""Roles from the identity provider's claims: the groups (or app roles) a person holds decide their role here."""

from django.conf import settings
from django.contrib.auth.models import Group

from actions import roles

# Roles whose holders use the admin (officers record status there too; plan admins keep the plan).
STAFF_ROLES = {roles.OFFICER, roles.PLAN_ADMIN}


def roles_from_claims(claims: dict) -> set[str]:
    """The tracker roles that the claim named by CCES_OIDC_ROLES_CLAIM maps to (CCES_OIDC_ROLES)."""
    values = claims.get(settings.CCES_OIDC_ROLES_CLAIM) or []
    if isinstance(values, str):
        values = [values]
    held = {str(value) for value in values}
    return {role for role, mapped in settings.CCES_OIDC_ROLES.items() if held & set(mapped)}


def apply_roles(user, wanted: set[str]) -> None:
    """Make the user's role groups exactly `wanted`, and staff status follow them. Groups that are not
    one of the three roles are left alone, and so is a superuser's staff status."""
    role_groups = list(Group.objects.filter(name__in=roles.PERMISSIONS))
    held = set(user.groups.filter(name__in=roles.PERMISSIONS).values_list("name", flat=True))
    if held != wanted:
        user.groups.remove(*[group for group in role_groups if group.name not in wanted])
        user.groups.add(*[group for group in role_groups if group.name in wanted])
    user.is_staff = user.is_superuser or bool(wanted & STAFF_ROLES)
