"""Signing in with a council account in a real Chromium, through a real OpenID Connect provider on
127.0.0.1 (tests/oidc_provider.py): the sign-in page's "Sign in with your council account", the
provider's own sign-in form, back to the tracker with the role the provider's groups give, then signing
out of both. With the mouse, and with the keyboard alone on the tracker's pages; axe-core checks each of
the tracker's pages on the way (the provider's pages are the provider's)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from actions import roles
from tests.browser.helpers import assert_accessible, tab_to
from tests.conftest import MANAGER_GROUP, OFFICER_GROUP

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def provider_page(page, council_sign_in):
    # The provider's page asks a CDN for its stylesheet; answer it here so nothing leaves the machine.
    page.context.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(content_type="text/css", body=""))
    return page


def sign_in_at_provider(page, provider, sub: str) -> None:
    expect(page).to_have_url(re.compile(rf"^{provider.issuer}/oauth2/authorize\?"))
    page.locator("input[name=sub]").fill(sub)
    with page.expect_navigation():
        page.get_by_role("button", name="Authorize").click()


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_an_officer_signs_in_with_their_council_account_and_out_again(
    provider_page, council_sign_in, seeded_plan, live_server, keyboard
):
    page = provider_page
    council_sign_in.set_user(
        "sub-browser-officer",
        email="priya.shah@example.gov.uk",
        preferred_username="priya.shah@example.gov.uk",
        given_name="Priya",
        family_name="Shah",
        groups=[OFFICER_GROUP],
    )

    page.goto("/actions/mine/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/actions/mine/")
    start = page.get_by_role("button", name="Sign in with your council account")
    expect(start).to_be_visible()
    assert_accessible(page)
    if keyboard:
        tab_to(page, lambda el: el["text"] == "Sign in with your council account")
        page.keyboard.press("Enter")
    else:
        start.click()
    sign_in_at_provider(page, council_sign_in, "sub-browser-officer")

    expect(page).to_have_url(f"{live_server.url}/actions/mine/")
    expect(page.locator("h1")).to_have_text("My actions")
    expect(page.locator(".app-service-navigation__user")).to_have_text("Signed in as Priya Shah")
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    assert_accessible(page)
    user = get_user_model().objects.get(provider_identities__subject="sub-browser-officer")
    assert list(user.groups.values_list("name", flat=True)) == [roles.OFFICER]

    if keyboard:
        tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Sign out")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
    # The provider ends its session too, then sends the browser back.
    expect(page).to_have_url(re.compile(rf"^{council_sign_in.issuer}/oauth2/end_session\?"))
    with page.expect_navigation():
        page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/council/signed-out/")
    expect(page.locator("h1")).to_have_text("You have signed out")
    assert_accessible(page)
    page.goto("/actions/mine/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/actions/mine/")


def test_a_council_account_without_a_tracker_group_is_told_whom_to_ask(provider_page, council_sign_in, live_server):
    page = provider_page
    council_sign_in.set_user("sub-browser-nobody", email="kim@example.gov.uk", groups=["all-staff"])
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, council_sign_in, "sub-browser-nobody")

    expect(page).to_have_url(f"{live_server.url}/accounts/council/no-access/")
    expect(page.locator("h1")).to_have_text("You do not have access to this service yet")
    expect(page.get_by_role("link", name="climate.team@example.gov.uk")).to_have_attribute(
        "href", "mailto:climate.team@example.gov.uk"
    )
    assert_accessible(page)


def test_with_password_sign_in_off_the_page_offers_only_the_council_account(
    provider_page, council_sign_in, settings, live_server
):
    settings.CCES_PASSWORD_SIGN_IN = False
    council_sign_in.set_user("sub-browser-manager", email="mo@example.gov.uk", groups=[MANAGER_GROUP])
    page = provider_page
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_have_count(0)
    expect(page.get_by_label("Password")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, council_sign_in, "sub-browser-manager")
    expect(page).to_have_url(f"{live_server.url}/actions/")
