"""The seeded plan is the council's report, curated: what `make run` shows."""

import csv
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import Action, ImportBatch, StatusSource, StatusUpdate
from actions.seed import SEED_CSV, SEED_WORKBOOK, seed_sheet
from targets.models import Target

pytestmark = pytest.mark.django_db


def test_seed_has_56_actions_once_each_and_7_targets(seeded_plan):
    assert sorted(Action.objects.values_list("number", flat=True)) == list(range(1, 57))
    assert list(Target.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_action_22_is_one_action_with_its_whole_text(seeded_plan):
    action = Action.objects.get(number=22)
    assert action.text.startswith("Scope all Council building for suitability for workplace EV chargepoints")
    assert action.text.endswith("fleet transition to EV at all suitable locations")
    assert action.target_date_text == ""  # the OCR's "r" was noise
    assert action.status_updates.count() == 1


def test_actions_16_and_17_are_split_where_the_page_broke(seeded_plan):
    assert Action.objects.get(number=16).text.endswith("carbon capture and storage mechanisms")
    assert Action.objects.get(number=17).text.startswith("Update county-wide Flood and Water")


@pytest.mark.parametrize(
    ("number", "status", "label"),
    [
        (1, "in_progress", "In progress"),
        (11, "not_started", "Not started"),
        (13, "in_delivery", "In delivery"),
        (16, "in_progress", "In progress"),  # "n In progress" in the OCR
        (33, "in_progress", "In progress"),  # "ln progress" in the OCR
        (9, "", "Not recorded"),
        (51, "", "Not recorded"),
        (52, "", "Not recorded"),
        (55, "", "Not recorded"),
    ],
)
def test_delivery_statuses_are_the_sources(seeded_plan, number, status, label):
    action = Action.objects.get(number=number)
    assert action.current_delivery_status == status
    assert action.current_delivery_status_label == label


def test_commentary_and_target_dates_are_the_sources(seeded_plan):
    action_54 = Action.objects.with_current_status().get(number=54)
    assert action_54.current_update.commentary.startswith("A COP27 event was held in November 2022")
    action_48 = Action.objects.with_current_status().get(number=48)
    assert action_48.current_update.commentary.endswith("integrate data collection.")
    action_13 = Action.objects.get(number=13)
    assert (action_13.target_date_text, action_13.target_year) == ("2023 (to have programme established)", 2023)
    assert Action.objects.get(number=19).target_year is None  # "ongoing"


def test_rag_follows_the_written_rule(seeded_plan):
    assert Action.objects.rag_counts() == {"red": 3, "amber": 13, "green": 40}
    assert set(Action.objects.filter(current_rag="red").values_list("number", flat=True)) == {11, 24, 29}
    # Every not-started action is red under the rule.
    assert not Action.objects.filter(current_delivery_status="not_started").exclude(current_rag="red").exists()


def test_reconstructed_target_titles_are_marked_for_an_admin(seeded_plan):
    reconstructed = set(Target.objects.filter(title_reconstructed=True).values_list("number", flat=True))
    assert reconstructed == {2, 3, 5, 6}
    assert Target.objects.get(number=4).title == "Improve our Biodiversity across Council estate by 2030"


def test_seed_entered_through_the_importer_as_one_batch(seeded_plan):
    batch = ImportBatch.objects.get()
    assert batch.file_name == SEED_WORKBOOK.name
    assert batch.period_id == "2022-23-q4"
    assert (batch.rows_read, batch.actions_created, batch.updates_created) == (56, 56, 56)
    assert StatusUpdate.objects.filter(import_batch=batch, source=StatusSource.IMPORT).count() == 56
    assert not Action.objects.filter(current_update__isnull=True).exists()


def test_source_marks_are_kept(seeded_plan):
    links = dict(Action.objects.get(number=1).target_links.values_list("target__number", "mark"))
    assert links == {2: "✓", 3: "4", 4: "*", 5: "*", 6: "*", 7: "1"}


def test_committed_workbook_matches_the_curated_csv():
    """The xlsx is built from the CSV; if someone edits one and not the other, this fails."""
    targets = [Target(number=n, title="", short_title="", source_header="") for n in range(1, 8)]
    parsed = read_plan_file(SEED_WORKBOOK.read_bytes(), SEED_WORKBOOK.name, target_headings(targets))
    assert parsed.ok, parsed.problems
    expected = seed_sheet().rows
    assert [
        (r.number, r.marks, r.text, r.delivery_status, r.rag, r.commentary, r.target_date) for r in parsed.rows
    ] == [(r.number, r.marks, r.text, r.delivery_status, r.rag, r.commentary, r.target_date) for r in expected]
    with SEED_CSV.open(encoding="utf-8") as handle:
        assert all(row["rag_basis"].startswith("derived:") for row in csv.DictReader(handle))


def test_demo_passwords_have_no_look_alike_characters(seeded_plan, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_plan", "--demo-users", stdout=out)
    printed = re.findall(r"username (\S+), password (\S+)", out.getvalue())
    assert printed, out.getvalue()
    for username, password in printed:
        assert not set(password) & set("0Oo1lI"), f"{username}'s demo password {password} mixes look-alikes"
        assert len(password) >= 16
        assert get_user_model().objects.get(username=username).check_password(password)


def test_favicon_ico_leads_to_the_councils_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert "images/favicon" in response["Location"]


def test_no_curation_note_reaches_a_target_page(seeded_plan, client, manager):
    client.force_login(manager)
    for target in Target.objects.all():
        html = client.get(f"/targets/{target.pk}/").content.decode()
        assert "OCR" not in html and "please check" not in html, f"target {target.pk} shows a curation note"
