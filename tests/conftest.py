import io
import time

import pytest
from django.core.management import call_command

from actions import roles
from actions.models import Action, StatusUpdate
from tests.factories import make_user


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
