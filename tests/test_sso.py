"""Council sign-in through a real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py), end to end:
the tracker's redirect, the provider's sign-in form, the code exchange, the ID token's checks, the account
and its roles."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions import roles
from sso.models import ProviderIdentity
from tests.conftest import MANAGER_GROUP, OFFICER_GROUP, PLAN_ADMIN_GROUP
from tests.factories import make_user
from tests.test_deploy import run_manage

pytestmark = pytest.mark.django_db

User = get_user_model()


def start(client, next_url=None):
    """Press "Sign in with your council account": the tracker sends the browser to the provider."""
    response = client.get(reverse("sso:start"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def callback(client, url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://testserver/accounts/council/callback/"
    return client.get(parts.path, parse_qs(parts.query))


def sign_in_through_provider(client, provider, sub, *, next_url=None):
    return callback(client, provider.authorize(start(client, next_url), sub))


def signed_in_user(client):
    """Who the tracker takes the browser to be on its next request (None: nobody)."""
    user = client.get(reverse("accessibility")).wsgi_request.user
    return User.objects.get(pk=user.pk) if user.is_authenticated else None


def role_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_the_sign_in_page_offers_the_council_account_only_when_configured(client, settings, oidc_provider):
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with your council account" not in html
    assert 'name="password"' in html

    settings.CCES_OIDC_ISSUER = oidc_provider.issuer
    html = client.get(reverse("login") + "?next=/actions/").content.decode()
    assert "Sign in with your council account" in html
    assert 'href="/accounts/council/?next=/actions/"' in html
    assert 'name="password"' in html  # password sign-in stays on unless switched off


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(client, council_sign_in):
    location = start(client)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{council_sign_in.issuer}/oauth2/authorize?")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["climate-plan-tracker"]
    assert query["redirect_uri"] == ["http://testserver/accounts/council/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    (state,) = query["state"]
    kept = client.session["oidc_states"][state]
    assert query["nonce"] == [kept["nonce"]]
    assert len(kept["code_verifier"]) >= 43
    # The verifier never leaves the session until the code exchange.
    assert kept["code_verifier"] not in location


def test_first_sign_in_creates_the_account_with_the_mapped_roles(client, council_sign_in):
    council_sign_in.set_user(
        "f3b2c1d0-officer",
        email="jane.smith@example.gov.uk",
        preferred_username="jane.smith@example.gov.uk",
        given_name="Jane",
        family_name="Smith",
        groups=[OFFICER_GROUP, "an-unrelated-group"],
    )
    response = sign_in_through_provider(client, council_sign_in, "f3b2c1d0-officer", next_url="/actions/mine/")

    assert response.status_code == 302
    assert response["Location"] == "/actions/mine/"
    user = signed_in_user(client)
    assert user.username == "jane.smith@example.gov.uk"
    assert (user.first_name, user.last_name, user.email) == ("Jane", "Smith", "jane.smith@example.gov.uk")
    assert role_names(user) == [roles.OFFICER]
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    identity = ProviderIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (council_sign_in.issuer, "f3b2c1d0-officer")

    page = client.get("/actions/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Signed in as </span>Jane Smith" in html
    assert "Change password" not in html  # nothing to change: the council account has no password here


def test_a_changed_group_claim_changes_the_role_at_the_next_sign_in(client, council_sign_in):
    council_sign_in.set_user("sub-changing", email="sam@example.gov.uk", groups=[OFFICER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-changing")
    user = signed_in_user(client)
    assert role_names(user) == [roles.OFFICER]
    client.post(reverse("logout"))

    council_sign_in.set_user("sub-changing", email="sam@example.gov.uk", groups=[MANAGER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-changing")
    user.refresh_from_db()
    assert signed_in_user(client) == user
    assert role_names(user) == [roles.MANAGER]
    assert not user.is_staff  # managers have no admin
    assert client.get("/actions/mine/").status_code == 403
    assert client.get("/actions/").status_code == 200

    council_sign_in.set_user("sub-changing", email="sam@example.gov.uk", groups=[PLAN_ADMIN_GROUP, MANAGER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-changing")
    user.refresh_from_db()
    assert role_names(user) == [roles.MANAGER, roles.PLAN_ADMIN]
    assert user.is_staff
    assert User.objects.count() == 1  # one account throughout


def test_the_address_to_return_to_must_be_on_this_site(client, council_sign_in):
    council_sign_in.set_user("sub-next", groups=[MANAGER_GROUP])
    response = sign_in_through_provider(client, council_sign_in, "sub-next", next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_accounts_are_matched_by_subject_not_by_email(client, council_sign_in):
    local = make_user("jane", role=roles.PLAN_ADMIN, is_staff=True, email="jane@example.gov.uk")
    council_sign_in.set_user("sub-jane", email="jane@example.gov.uk", preferred_username="jane", groups=[OFFICER_GROUP])

    sign_in_through_provider(client, council_sign_in, "sub-jane")

    user = signed_in_user(client)
    assert user != local  # the same email does not hand over the plan admin's account
    assert user.username == "jane-2"
    assert role_names(local) == [roles.PLAN_ADMIN]
    client.post(reverse("logout"))

    # A renamed address is still the same person: the subject is what identifies them.
    council_sign_in.set_user("sub-jane", email="jane.jones@example.gov.uk", groups=[OFFICER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-jane")
    assert signed_in_user(client) == user
    user.refresh_from_db()
    assert user.email == "jane.jones@example.gov.uk"


def test_no_mapped_claim_means_no_account_and_a_page_saying_whom_to_ask(client, council_sign_in):
    council_sign_in.set_user("sub-nobody", email="kim@example.gov.uk", groups=["all-staff"])

    response = sign_in_through_provider(client, council_sign_in, "sub-nobody")

    assert response.status_code == 302
    assert response["Location"] == reverse("sso:no_access")
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "You do not have access to this service yet" in html
    assert 'href="mailto:climate.team@example.gov.uk"' in html
    assert client.get("/").status_code == 302  # still sent to sign in


def test_losing_every_mapped_group_takes_the_role_away(client, council_sign_in):
    council_sign_in.set_user("sub-leaver", email="lee@example.gov.uk", groups=[PLAN_ADMIN_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-leaver")
    user = signed_in_user(client)
    client.post(reverse("logout"))

    council_sign_in.set_user("sub-leaver", email="lee@example.gov.uk", groups=[])
    response = sign_in_through_provider(client, council_sign_in, "sub-leaver")

    assert response["Location"] == reverse("sso:no_access")
    assert signed_in_user(client) is None
    user.refresh_from_db()
    assert role_names(user) == []
    assert not user.is_staff


def test_an_account_deactivated_here_cannot_sign_in_through_the_provider(client, council_sign_in):
    council_sign_in.set_user("sub-off", email="off@example.gov.uk", groups=[MANAGER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-off")
    user = signed_in_user(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/actions/").status_code == 302  # the session ends with the account

    response = sign_in_through_provider(client, council_sign_in, "sub-off")
    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_declining_at_the_provider_signs_nobody_in(client, council_sign_in):
    location = start(client)
    declined = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=5)
    assert "error=access_denied" in declined.headers["Location"]

    response = callback(client, declined.headers["Location"])

    assert response.status_code == 400
    assert "the sign-in was cancelled" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_tampered_state_is_refused(client, council_sign_in):
    council_sign_in.set_user("sub-state", groups=[MANAGER_GROUP])
    returned = council_sign_in.authorize(start(client), "sub-state")
    query = parse_qs(urlsplit(returned).query)
    query["state"] = ["forged-" + query["state"][0]]

    response = client.get(reverse("sso:callback"), query)

    assert response.status_code == 400
    assert "We could not sign you in" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_replayed_callback_is_refused(client, council_sign_in):
    council_sign_in.set_user("sub-replay", groups=[MANAGER_GROUP])
    returned = council_sign_in.authorize(start(client), "sub-replay")
    assert callback(client, returned).status_code == 302
    client.post(reverse("logout"))

    response = callback(client, returned)
    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_a_tampered_nonce_is_refused(client, council_sign_in):
    council_sign_in.set_user("sub-nonce", groups=[MANAGER_GROUP])
    location = start(client)
    (state,) = parse_qs(urlsplit(location).query)["state"]
    # The ID token will carry the nonce sent to the provider; make the session expect another one,
    # as when a token minted for another sign-in is replayed into this one.
    session = client.session
    session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()

    response = callback(client, council_sign_in.authorize(location, "sub-nonce"))

    assert response.status_code == 400
    assert "We could not sign you in" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client, council_sign_in):
    council_sign_in.set_user("sub-pkce", groups=[MANAGER_GROUP])
    location = start(client)
    (state,) = parse_qs(urlsplit(location).query)["state"]
    session = client.session
    session["oidc_states"][state]["code_verifier"] = "x" * 64
    session.save()

    response = callback(client, council_sign_in.authorize(location, "sub-pkce"))

    assert response.status_code == 400
    assert council_sign_in.enforcer.refused_verifiers[-1] == "x" * 64
    assert signed_in_user(client) is None


def test_an_id_token_for_another_client_is_refused(client, council_sign_in, settings):
    council_sign_in.set_user("sub-aud", groups=[MANAGER_GROUP])
    returned = council_sign_in.authorize(start(client), "sub-aud")
    # The provider issues the token to whichever client redeems the code; the audience check refuses it.
    settings.OIDC_RP_CLIENT_ID = "another-application"

    response = callback(client, returned)

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_tokens_are_never_logged(client, council_sign_in, caplog):
    caplog.set_level(logging.DEBUG)
    council_sign_in.set_user("sub-logs", groups=[MANAGER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-logs")
    council_sign_in.set_user("sub-logs", groups=[])
    sign_in_through_provider(client, council_sign_in, "sub-logs")
    location = start(client)
    (state,) = parse_qs(urlsplit(location).query)["state"]
    session = client.session
    session["oidc_states"][state]["nonce"] = "tampered"
    session.save()
    callback(client, council_sign_in.authorize(location, "sub-logs"))

    tokens = council_sign_in.enforcer.issued_tokens[-9:]
    assert len(tokens) == 9  # access, ID and refresh tokens of three sign-ins
    # Everything the tracker's side logged: Django, the OIDC client, requests, axes. (The provider's own
    # libraries, authlib and werkzeug, run in this process too and log what they issue; they are not ours.)
    ours = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("authlib", "oidc_provider_mock", "werkzeug"))
    )
    assert "Council sign-in refused" in ours  # the failures were logged...
    for token in tokens:
        assert token not in ours  # ...and no token with them


def test_signing_out_ends_the_providers_session_too(client, council_sign_in):
    council_sign_in.set_user("sub-out", groups=[MANAGER_GROUP])
    sign_in_through_provider(client, council_sign_in, "sub-out")
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{council_sign_in.issuer}/oauth2/end_session"
    assert parse_qs(location.query) == {
        "id_token_hint": [id_token],
        "client_id": ["climate-plan-tracker"],
        "post_logout_redirect_uri": ["http://testserver/accounts/council/signed-out/"],
    }
    assert signed_in_user(client) is None
    page = client.get(reverse("sso:signed_out"))
    assert page.status_code == 200
    assert "You have signed out" in page.content.decode()


def test_signing_out_of_a_password_account_stays_here(client, council_sign_in, manager):
    client.force_login(manager)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()


def test_an_unreachable_provider_gets_a_page_not_an_error(client, council_sign_in, settings):
    settings.CCES_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    response = client.get(reverse("sso:start"))
    assert response.status_code == 503
    assert "Council sign-in is not available at the moment" in response.content.decode()


def test_council_sign_in_pages_are_not_found_when_not_configured(client):
    assert client.get(reverse("sso:start")).status_code == 404
    assert client.get(reverse("sso:callback"), {"code": "x", "state": "y"}).status_code == 404


# Password sign-in switched off (CCES_PASSWORD_SIGN_IN=false).


@pytest.fixture
def passwords_off(council_sign_in, settings):
    settings.CCES_PASSWORD_SIGN_IN = False
    return council_sign_in


def test_password_sign_in_switched_off_hides_the_form(client, passwords_off):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in with your council account" in html
    assert 'name="password"' not in html
    assert 'name="username"' not in html


def test_password_sign_in_switched_off_refuses_the_form(client, passwords_off, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "test-password-1"})
    assert response.status_code == 403
    assert "Signing in with a password is switched off" in response.content.decode()
    assert signed_in_user(client) is None
    # Nor through the admin's sign-in form.
    response = client.post("/admin/login/", {"username": "manager", "password": "test-password-1"})
    assert response.status_code == 200
    assert signed_in_user(client) is None


def test_password_sign_in_switched_off_ends_password_sessions_and_hides_password_change(
    client, settings, council_sign_in, officer
):
    client.force_login(officer)
    assert "Change password" in client.get("/actions/mine/").content.decode()
    settings.CCES_PASSWORD_SIGN_IN = False
    assert client.get("/actions/mine/").status_code == 302  # signed out: passwords no longer sign anyone in


def test_a_superuser_can_still_sign_in_at_the_admin_when_passwords_are_off(client, passwords_off):
    User.objects.create_superuser("breakglass", password="a-long-break-glass-password")
    response = client.post("/admin/login/", {"username": "breakglass", "password": "a-long-break-glass-password"})
    assert response.status_code == 302
    assert signed_in_user(client).username == "breakglass"
    assert "Change password" not in client.get("/").content.decode()


def test_the_lock_out_still_applies_to_password_sign_in(client, council_sign_in, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "officer", "password": "test-password-1"})
    assert response.status_code == 429
    assert signed_in_user(client) is None


def test_the_lock_out_still_applies_to_the_break_glass_account(client, passwords_off, settings):
    User.objects.create_superuser("breakglass", password="a-long-break-glass-password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "breakglass", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "breakglass", "password": "a-long-break-glass-password"})
    assert response.status_code == 429
    assert signed_in_user(client) is None


def test_failed_council_sign_ins_never_lock_anyone_out(client, council_sign_in, settings):
    council_sign_in.set_user("sub-many", groups=["all-staff"])
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in_through_provider(client, council_sign_in, "sub-many")
    council_sign_in.set_user("sub-many", groups=[MANAGER_GROUP])
    assert sign_in_through_provider(client, council_sign_in, "sub-many").status_code == 302
    assert signed_in_user(client) is not None


# Configuration from the environment, read the way production starts (a fresh process).

ENTRA = {
    "DJANGO_SETTINGS_MODULE": "ccesplan.settings",
    "DJANGO_SECRET_KEY": "k7#Qz2vL9pX4wR8tY1uE6oI3aS5dF0gH-jK2lZ7xC9vB4nM1qW8eR3tY6uI0oP5a",
    "CCES_OIDC_ISSUER": "https://login.microsoftonline.com/0b5c9d1e-tenant/v2.0/",
    "CCES_OIDC_CLIENT_ID": "6731de76-app",
    "CCES_OIDC_CLIENT_SECRET": "a-client-secret",
    "CCES_OIDC_OFFICER_CLAIMS": "11111111-officers, 22222222-more-officers",
    "CCES_OIDC_MANAGER_CLAIMS": "33333333-managers",
    "CCES_OIDC_PLAN_ADMIN_CLAIMS": "44444444-admins",
    "CCES_PASSWORD_SIGN_IN": "false",
}


def setting(expression, env):
    result = run_manage("shell", "-c", f"from django.conf import settings; print({expression})", env=env)
    return result.returncode, (result.stdout.strip().splitlines() or [""])[-1], result.stderr


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("settings.CCES_OIDC_ISSUER", "https://login.microsoftonline.com/0b5c9d1e-tenant/v2.0"),
        ("settings.OIDC_RP_CLIENT_ID", "6731de76-app"),
        (
            "settings.CCES_OIDC_ROLES",
            "{'Officer': ['11111111-officers', '22222222-more-officers'], "
            "'Manager': ['33333333-managers'], 'Plan admin': ['44444444-admins']}",
        ),
        ("settings.CCES_OIDC_ROLES_CLAIM", "groups"),
        ("settings.CCES_PASSWORD_SIGN_IN", "False"),
        ("settings.OIDC_USE_PKCE and settings.OIDC_USE_NONCE", "True"),
        (
            "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']",
            "[\"'self'\", 'https://login.microsoftonline.com']",
        ),
    ],
)
def test_council_sign_in_is_configured_from_the_environment(expression, expected):
    returncode, printed, stderr = setting(expression, ENTRA)
    assert returncode == 0, stderr
    assert printed == expected


def test_an_issuer_without_client_credentials_is_refused_at_start():
    env = {name: value for name, value in ENTRA.items() if name != "CCES_OIDC_CLIENT_SECRET"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "CCES_OIDC_CLIENT_ID and CCES_OIDC_CLIENT_SECRET must be set" in result.stderr


def test_password_sign_in_cannot_be_switched_off_without_a_provider():
    env = {name: value for name, value in ENTRA.items() if not name.startswith("CCES_OIDC")}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "CCES_PASSWORD_SIGN_IN is off, so set CCES_OIDC_ISSUER" in result.stderr
