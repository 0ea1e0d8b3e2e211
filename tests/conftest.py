import io
import os
import time

import pytest
from django.core.management import call_command

from actions import roles
from actions.models import Action, StatusUpdate
from tests.factories import make_user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under `make mutate`, mutmut runs the tests of several mutants at once in forked processes: give each its
    own test database file, as pytest-xdist's workers get theirs."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        from pytest_django.fixtures import _set_suffix_to_test_databases

        _set_suffix_to_test_databases(suffix=f"mutant{os.getpid()}")


@pytest.fixture
def seeded_plan(db):
    """The council's plan as `make run` seeds it: targets, then the seed workbook through the importer."""
    call_command("seed_plan", stdout=io.StringIO())
    return Action.objects.all()


@pytest.fixture
def officer(db):
    return make_user("officer", role=roles.OFFICER, is_staff=True)


@pytest.fixture
def manager(db):
    return make_user("manager", role=roles.MANAGER)


@pytest.fixture
def plan_admin(db):
    return make_user("planadmin", role=roles.PLAN_ADMIN, is_staff=True)


@pytest.fixture
def slow_write(monkeypatch):
    """Widen the gap between record_status's stale check and its write, so an unlocked check lets both in."""
    original = StatusUpdate.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StatusUpdate, "full_clean", slow_full_clean)
