from django.db import migrations

# Frozen: what this migration adds to actions.roles.PERMISSIONS.
ADDED = {
    "Officer": ["indicators.view_indicator", "indicators.view_indicatorvalue", "indicators.add_indicatorvalue"],
    "Manager": ["indicators.view_indicator", "indicators.view_indicatorvalue"],
    "Plan admin": [
        "indicators.view_indicator",
        "indicators.add_indicator",
        "indicators.change_indicator",
        "indicators.view_indicatorgoal",
        "indicators.add_indicatorgoal",
        "indicators.change_indicatorgoal",
        "indicators.delete_indicatorgoal",
        "indicators.view_indicatorvalue",
        "indicators.add_indicatorvalue",
        "indicators.view_indicatorimport",
        "indicators.add_indicatorimport",
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions for new models are normally made after all migrations; make them now.
    app_config = apps.get_app_config("indicators")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        for perm in perms:
            app_label, codename = perm.split(".")
            for group in Group.objects.filter(name=name):
                group.permissions.remove(
                    *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
                )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("actions", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
