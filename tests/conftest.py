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


# Council sign-in (OpenID Connect) against a real provider on 127.0.0.1; see tests/oidc_provider.py.
OFFICER_GROUP, MANAGER_GROUP, PLAN_ADMIN_GROUP = "tracker-officers", "tracker-managers", "tracker-plan-admins"


@pytest.fixture(scope="session")
def oidc_provider():
    from tests.oidc_provider import start_provider

    provider, stop = start_provider()
    yield provider
    stop()


@pytest.fixture
def council_sign_in(oidc_provider, settings):
    """The tracker configured for the provider, as the environment would configure it."""
    from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

    settings.CCES_OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.CCES_OIDC_ROLES_CLAIM = "groups"
    settings.CCES_OIDC_ROLES = {
        roles.OFFICER: [OFFICER_GROUP],
        roles.MANAGER: [MANAGER_GROUP],
        roles.PLAN_ADMIN: [PLAN_ADMIN_GROUP],
    }
    settings.CCES_ACCESS_CONTACT = "climate.team@example.gov.uk"
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "form-action": [*policy["DIRECTIVES"]["form-action"], oidc_provider.issuer],
        },
    }
    return oidc_provider
