"""A backup restores to the same plan, history and accounts."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict

from actions import roles
from actions.models import Action, ActionTarget, ImportBatch, ReportingPeriod, StatusUpdate
from targets.models import Target
from tests.factories import make_update, make_user

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything a restore must bring back, keyed by what users see (numbers, names), not database ids."""

    def rows(queryset, *, exclude=(), **related):
        result = []
        for obj in queryset:
            row = model_to_dict(obj, exclude=["id", *exclude])
            for name, to_text in related.items():
                row[name] = to_text(obj)
            result.append(row)
        return result

    def username(user):
        return user.username if user else None

    return {
        "targets": rows(Target.objects.order_by("number")),
        "periods": rows(ReportingPeriod.objects.order_by("start")),
        "actions": rows(
            Action.objects.order_by("number"),
            exclude=["targets", "leads"],
            leads=lambda a: sorted(u.username for u in a.leads.all()),
            created_by_import=lambda a: a.created_by_import and a.created_by_import.file_name,
            current_update=lambda a: a.current_update and (a.current_update.recorded_at, a.current_update.commentary),
        ),
        "action_targets": rows(ActionTarget.objects.order_by("action__number", "target__number")),
        "history": rows(
            StatusUpdate.objects.order_by("action__number", "period__start", "recorded_at"),
            recorded_by=lambda u: username(u.recorded_by),
            import_batch=lambda u: u.import_batch and u.import_batch.file_name,
        ),
        "batches": rows(ImportBatch.objects.order_by("imported_at"), imported_by=lambda b: username(b.imported_by)),
        "users": rows(
            get_user_model().objects.order_by("username"),
            exclude=["user_permissions"],
            groups=lambda u: sorted(g.name for g in u.groups.all()),
        ),
        "roles": {
            group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.all()
        },
    }


def empty_the_database():
    """What a restore starts from: migrated tables, no rows. The test runs in one transaction, where
    PostgreSQL refuses to TRUNCATE rows with deferred foreign key checks pending: run them first."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_backup_restores_to_the_same_plan_and_history(seeded_plan, officer, manager, plan_admin, tmp_path):
    action = Action.objects.get(number=3)
    action.leads.add(officer)
    make_update(action, "2023-24-q1", rag="amber", commentary="Waiting on the supplier.", recorded_by=officer)
    make_update(action, "2023-24-q1", rag="red", commentary="Supplier withdrew.", recorded_by=officer)
    make_user("former", is_active=False)
    before = snapshot()
    assert len(before["history"]) == 58
    assert before["roles"][roles.OFFICER]

    backup = tmp_path / "backup.xml.gz"
    call_command("backup_plan", str(backup), stdout=io.StringIO())

    empty_the_database()
    assert not Action.objects.exists()
    assert not get_user_model().objects.exists()

    call_command("loaddata", str(backup), verbosity=0)

    assert snapshot() == before
    restored = Action.objects.get(number=3)
    assert restored.current_update.commentary == "Supplier withdrew."
    assert restored.current_rag == "red"
    assert get_user_model().objects.get(username="officer").check_password("test-password-1")
