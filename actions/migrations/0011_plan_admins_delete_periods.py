from django.db import migrations

# Frozen: what this migration adds to actions.roles.PERMISSIONS: plan admins may delete a period row added by
# mistake (one with history or a closing is protected by its foreign keys and by the admin).
ADDED = {"Plan admin": ["actions.delete_reportingperiod"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions for the new model are normally made after all migrations; make them now.
    app_config = apps.get_app_config("actions")
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
    dependencies = [("actions", "0010_bounds_on_numbers_and_commentary")]

    operations = [migrations.RunPython(grant, revoke)]
