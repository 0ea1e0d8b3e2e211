import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_sign_in_page_has_labelled_fields_and_one_heading(client):
    html = client.get(reverse("login")).content.decode()
    assert html.count("<h1") == 1
    assert '<label class="govuk-label" for="id_username">' in html
    assert '<label class="govuk-label" for="id_password">' in html


def test_a_user_without_a_role_is_refused(client, seeded_plan, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/").status_code == 403


def test_action_page_shows_text_targets_and_history(client, seeded_plan, manager):
    client.force_login(manager)
    response = client.get("/actions/22/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "fleet transition to EV at all suitable locations" in html
    assert "Target 2: Net zero for the Council" in html
    assert "2022/23 Q4" in html
    assert "spreadsheet import: cces-action-plan-2022-23-q4.xlsx" in html


def test_unknown_action_is_404(client, seeded_plan, manager):
    client.force_login(manager)
    assert client.get("/actions/999/").status_code == 404
