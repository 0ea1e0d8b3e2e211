"""The plan's own words: uncertain wording marked for plan admins only, cleared in the admin in one action;
reconstructed target titles noted for plan admins only."""

import importlib

import pytest
from django.apps import apps

from actions.models import Action
from actions.templatetags.action_tags import mark_wording
from tests.factories import admin_form_data

pytestmark = pytest.mark.django_db

MARK = '<mark class="app-wording-check">'
LABEL = "wording to be checked</strong>"


def test_the_seed_marks_the_words_the_source_left_uncertain(seeded_plan):
    marked = dict(Action.objects.exclude(wording_to_check="").values_list("number", "wording_to_check"))
    assert marked == {
        5: "Maximising releaved be generation",
        9: "Deconcertaine of climate into paintbourbood class:\nto et this up",
    }


def test_plan_admins_see_the_uncertain_words_marked_on_the_action_page(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    response = client.get("/actions/9/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{MARK}Deconcertaine of climate into paintbourbood class:</mark>" in html
    assert f"{MARK}to et this up</mark>" in html
    assert html.count(LABEL) == 3  # each phrase labelled in words, and the note's own example
    assert '<h2 class="govuk-heading-s govuk-!-margin-bottom-2">Wording to be checked</h2>' in html
    assert f'href="/admin/actions/action/{Action.objects.get(number=9).pk}/change/"' in html
    sub_point = client.get("/actions/5/").content.decode()
    assert f"<li>{MARK}Maximising releaved be generation</mark>" in sub_point


@pytest.mark.parametrize("who", ["manager", "officer"])
def test_nobody_else_sees_the_mark(client, seeded_plan, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/actions/9/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deconcertaine of climate into paintbourbood class:" in html
    assert MARK not in html and "to be checked" not in html


def test_an_action_without_uncertain_words_has_no_note(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    html = client.get("/actions/22/").content.decode()
    assert MARK not in html and "Wording to be checked" not in html


def test_a_phrase_no_longer_in_the_text_is_still_listed(client, seeded_plan, plan_admin):
    action = Action.objects.get(number=22)
    action.wording_to_check = "chargepoints\nsomething reworded away"
    action.save()
    client.force_login(plan_admin)
    html = client.get("/actions/22/").content.decode()
    assert f"{MARK}chargepoints</mark>" in html
    assert "Also to be checked, no longer found in the text:" in html
    assert "<li>something reworded away</li>" in html


def test_marking_escapes_the_text_and_keeps_line_breaks():
    html = mark_wording("<b>bold</b> words\nto et this up & more", ["to et this up", "<b>"])
    assert html == (
        f'{MARK}&lt;b&gt;</mark> <strong class="govuk-tag govuk-tag--yellow app-wording-check__tag">{LABEL}'
        "bold&lt;/b&gt; words<br>"
        f'{MARK}to et this up</mark> <strong class="govuk-tag govuk-tag--yellow app-wording-check__tag">{LABEL}'
        " &amp; more"
    )
    assert mark_wording("plain", []) == "plain"


def test_clearing_the_mark_in_the_admin_list_is_one_action(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    listing = client.get("/admin/actions/action/?wording_to_check=yes")
    assert listing.status_code == 200
    assert [a.number for a in listing.context["cl"].result_list] == [5, 9]
    nine = Action.objects.get(number=9)
    response = client.post(
        "/admin/actions/action/", {"action": "mark_wording_checked", "_selected_action": [str(nine.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert "The wording of 1 action marked as checked." in response.content.decode()
    nine.refresh_from_db()
    assert nine.wording_to_check == ""
    assert MARK not in client.get("/actions/9/").content.decode()
    assert Action.objects.get(number=5).wording_to_check  # only the one chosen


def test_officers_cannot_clear_the_mark(client, seeded_plan, officer):
    nine = Action.objects.get(number=9)
    nine.leads.add(officer)
    client.force_login(officer)
    listing = client.get("/admin/actions/action/")
    assert listing.status_code == 200
    assert "mark_wording_checked" not in listing.content.decode()
    client.post("/admin/actions/action/", {"action": "mark_wording_checked", "_selected_action": [str(nine.pk)]})
    nine.refresh_from_db()
    assert nine.wording_to_check


def test_plan_admins_edit_the_wording_to_check_on_the_change_form(client, seeded_plan, plan_admin):
    nine = Action.objects.get(number=9)
    client.force_login(plan_admin)
    page = client.get(f"/admin/actions/action/{nine.pk}/change/")
    assert page.status_code == 200
    assert 'name="wording_to_check"' in page.content.decode()
    response = client.post(f"/admin/actions/action/{nine.pk}/change/", admin_form_data(page, wording_to_check=""))
    assert response.status_code == 302, response.context["adminform"].form.errors
    nine.refresh_from_db()
    assert nine.wording_to_check == ""


def test_the_migration_marks_a_database_seeded_before_the_field(seeded_plan):
    Action.objects.update(wording_to_check="")
    Action.objects.filter(number=5).update(text="Reworded by a plan admin")
    migration = importlib.import_module("actions.migrations.0012_action_wording_to_check")
    migration.mark_uncertain_words(apps, None)
    marked = dict(Action.objects.exclude(wording_to_check="").values_list("number", "wording_to_check"))
    assert marked == {9: "Deconcertaine of climate into paintbourbood class:\nto et this up"}


@pytest.mark.parametrize("url", ["/targets/", "/targets/2/"])
def test_reconstructed_titles_are_noted_for_plan_admins_only(client, seeded_plan, plan_admin, manager, url):
    client.force_login(plan_admin)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--yellow">Title reconstructed</strong>' in html
    assert "/admin/targets/target/2/change/" in html
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert "reconstructed" not in response.content.decode().lower()


def test_a_title_from_the_source_has_no_note(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    response = client.get("/targets/4/")
    assert response.status_code == 200
    assert "Title reconstructed" not in response.content.decode()
    listing = client.get("/targets/").content.decode()
    assert listing.count("Title reconstructed</strong>") == 4  # targets 2, 3, 5 and 6


def test_phrases_to_check_are_the_lines_stripped_without_blanks():
    action = Action(number=1, text="x", wording_to_check="  first phrase \n\n \nsecond\n")
    assert action.phrases_to_check == ["first phrase", "second"]
    assert Action(number=2, text="x").phrases_to_check == []
