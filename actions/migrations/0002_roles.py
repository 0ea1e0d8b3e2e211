from django.db import migrations

# A frozen copy of actions.roles.PERMISSIONS as it stood for this migration.
ROLES = {
    "Officer": [
        "actions.view_action",
        "actions.view_statusupdate",
        "actions.add_statusupdate",
        "actions.view_reportingperiod",
        "targets.view_target",
    ],
    "Manager": [
        "actions.view_action",
        "actions.view_statusupdate",
        "actions.view_reportingperiod",
        "actions.view_importbatch",
        "targets.view_target",
    ],
    "Plan admin": [
        "actions.view_action",
        "actions.add_action",
        "actions.change_action",
        "actions.view_statusupdate",
        "actions.add_statusupdate",
        "actions.view_reportingperiod",
        "actions.add_reportingperiod",
        "actions.view_importbatch",
        "actions.add_importbatch",
        "actions.view_actiontarget",
        "actions.add_actiontarget",
        "actions.change_actiontarget",
        "actions.delete_actiontarget",
        "targets.view_target",
        "targets.add_target",
        "targets.change_target",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("targets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
