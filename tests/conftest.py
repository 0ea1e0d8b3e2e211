import io

import pytest
from django.core.management import call_command

from actions import roles
from actions.models import Action
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
