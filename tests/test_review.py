"""Review of officers' updates: submitted, returned with a note, revised, approved; who may do what; the one
switch between "latest" (internal pages) and "latest approved" (reports); review off behaves as before."""

import html
import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, PendingImport, ReviewDecision, ReviewState, StatusUpdate
from actions.services import ReviewRefused, review_updates
from actions.views import StatusUpdateView
from reports.quarterly import build_report
from tests.factories import make_action, make_targets, make_update, make_user, workbook_bytes

pytestmark = pytest.mark.django_db

TODAY = date(2023, 5, 10)  # 2023/24 Q1
PERIOD = "2023-24-q1"
DRAFT = "Boiler contract slipped to autumn, draft words"
REVISED = "Boiler contract signed; installation starts in September"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(StatusUpdateView, "today", TODAY)


@pytest.fixture
def targets():
    return make_targets(2)


@pytest.fixture
def action(officer, targets):
    action = make_action(7, text="Install heat pumps in schools", targets=[targets[0]])
    make_update(action, "2022-23-q4", rag="green", delivery_status="in_progress", commentary="Surveys done")
    action.leads.add(officer)
    return action


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def post_update(client, action, **fields):
    data = {
        "period": PERIOD,
        "delivery_status": "in_progress",
        "rag": "amber",
        "commentary": DRAFT,
        "based_on": Action.objects.get(pk=action.pk).current_update_id,
        **fields,
    }
    return client.post(f"/actions/{action.number}/update/", data)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_submits_manager_returns_officer_revises_manager_approves(officer, manager, action):
    as_officer, as_manager = signed_in(officer), signed_in(manager)

    response = post_update(as_officer, action)
    assert response.status_code == 302
    draft = StatusUpdate.objects.get(commentary=DRAFT)
    assert draft.review_state == ReviewState.SUBMITTED
    page = text_of(as_officer.get(response["Location"], follow=True))
    assert "sent for review" in page and "Awaiting review" in page
    # Internal pages show the latest update; the report still counts the last approved one.
    assert Action.objects.get(pk=action.pk).current_update == draft
    assert build_report(draft.period).positions[0].rag == "green"

    queue = as_manager.get("/actions/review/")
    assert queue.status_code == 200
    assert "1 update awaiting review" in text_of(queue) and DRAFT in text_of(queue)

    returned = as_manager.post(f"/actions/review/{draft.pk}/", {"decision": "returned", "note": "Give the new date"})
    assert returned.status_code == 302
    draft.refresh_from_db()
    assert (draft.review_state, draft.commentary) == (ReviewState.RETURNED, DRAFT)  # the officer's words stay
    assert list(ReviewDecision.objects.values_list("decision", "note", "decided_by")) == [
        ("returned", "Give the new date", manager.pk)
    ]
    for url in ("/actions/mine/", "/actions/7/update/"):
        page = text_of(as_officer.get(url))
        assert "Returned" in page and "Give the new date" in page and "returned by manager" in page

    response = post_update(as_officer, action, rag="green", commentary=REVISED)
    assert response.status_code == 302
    revised = StatusUpdate.objects.get(commentary=REVISED)
    assert (revised.review_state, revised.based_on) == (ReviewState.SUBMITTED, draft)
    assert "Give the new date" not in text_of(as_officer.get("/actions/mine/"))

    approved = as_manager.post("/actions/review/approve/", {"update": [revised.pk]})
    assert approved.status_code == 302
    assert "Approved 1 update." in text_of(as_manager.get(approved["Location"]))
    revised.refresh_from_db()
    assert revised.review_state == ReviewState.APPROVED
    report = build_report(revised.period)
    report.read_commentary()  # as the workbook does; the page shows no commentary
    assert (report.positions[0].rag, report.positions[0].commentary) == ("green", REVISED)
    assert (report.updates_in_period, report.updates_reviewed) == (1, 2)
    manager_report = text_of(as_manager.get(f"/reports/{PERIOD}/"))
    assert "1 status update recorded for this period; 2 updates for it reviewed by a manager." in manager_report


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", "login"), ("officer", 403), ("manager", 200), ("plan admin", 403)],
)
def test_only_reviewers_reach_the_review_pages(client, officer, manager, plan_admin, action, who, expected):
    update = make_update(action, PERIOD, rag="amber", commentary=DRAFT, recorded_by=officer)
    user = {"officer": officer, "manager": manager, "plan admin": plan_admin}.get(who)
    if user:
        client.force_login(user)
    for url in ("/actions/review/", f"/actions/review/{update.pk}/"):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == expected
    response = client.post("/actions/review/approve/", {"update": [update.pk]})
    update.refresh_from_db()
    assert update.review_state == (ReviewState.APPROVED if expected == 200 else ReviewState.SUBMITTED)


def test_returning_needs_a_note_and_saves_nothing_without_one(officer, manager, action):
    update = make_update(action, PERIOD, rag="amber", commentary=DRAFT, recorded_by=officer)
    response = signed_in(manager).post(f"/actions/review/{update.pk}/", {"decision": "returned", "note": " "})
    assert response.status_code == 200
    assert "Enter a note saying what the officer should change" in text_of(response)
    update.refresh_from_db()
    assert update.review_state == ReviewState.SUBMITTED and not ReviewDecision.objects.exists()


def test_the_queue_filters_by_target_and_officer_newest_first(manager, officer, targets):
    other = make_user("other", role="Officer", first_name="Oscar", last_name="Other")
    first = make_action(1, text="First", targets=[targets[0]])
    second = make_action(2, text="Second", targets=[targets[1]])
    older = make_update(first, PERIOD, rag="green", commentary="older one", recorded_by=officer)
    newer = make_update(second, PERIOD, rag="green", commentary="newer one", recorded_by=other)
    client = signed_in(manager)
    assert client.get("/actions/review/").context["updates"] == [newer, older]
    assert client.get("/actions/review/?target=1").context["updates"] == [older]
    assert client.get(f"/actions/review/?officer={other.pk}").context["updates"] == [newer]
    page = text_of(client.get("/actions/review/"))
    assert "Oscar Other" in page


def test_approving_several_at_once_is_all_or_nothing(officer, manager, action):
    one = make_update(action, PERIOD, rag="amber", commentary="one", recorded_by=officer)
    two = make_update(action, PERIOD, rag="amber", commentary="two", recorded_by=officer)
    review_updates(updates=[two], decision=ReviewState.APPROVED, reviewer=manager)
    with pytest.raises(ReviewRefused, match="Already reviewed meanwhile"):
        review_updates(updates=[one, two], decision=ReviewState.APPROVED, reviewer=manager)
    one.refresh_from_db()
    assert one.review_state == ReviewState.SUBMITTED
    response = signed_in(manager).post("/actions/review/approve/", {"update": [one.pk, two.pk]}, follow=True)
    assert "Nothing was approved. Already reviewed meanwhile (action 7)" in text_of(response)


def test_the_conflict_rule_still_holds_with_review_on(officer, action):
    """Two forms based on the same update: the second is refused, even though the first awaits review."""
    first, second = signed_in(officer), signed_in(officer)
    based_on = action.current_update_id
    assert post_update(first, action, based_on=based_on).status_code == 302
    response = post_update(second, action, based_on=based_on, commentary="mine")
    assert response.status_code == 409
    assert not StatusUpdate.objects.filter(commentary="mine").exists()


def test_with_review_off_an_officers_update_counts_at_once(settings, officer, action):
    settings.CCES_REVIEW_UPDATES = False
    post_update(signed_in(officer), action)
    update = StatusUpdate.objects.get(commentary=DRAFT)
    assert update.review_state == ReviewState.APPROVED
    report = build_report(update.period)
    report.read_commentary()  # as the workbook does; the page shows no commentary
    assert report.positions[0].commentary == DRAFT


def test_reviewers_and_the_system_record_approved_updates(manager, action):
    assert make_update(action, PERIOD, recorded_by=None).review_state == ReviewState.APPROVED
    assert make_update(action, PERIOD, recorded_by=manager).review_state == ReviewState.APPROVED


def test_the_position_switch_reads_latest_or_latest_approved(officer, action):
    make_update(action, PERIOD, rag="red", commentary=DRAFT, recorded_by=officer)
    latest = Action.objects.with_position(PERIOD).get(pk=action.pk)
    approved = Action.objects.with_position(PERIOD, approved_only=True).get(pk=action.pk)
    assert (latest.position_rag, latest.position_period_id) == ("red", PERIOD)
    assert (approved.position_rag, approved.position_period_id) == ("green", "2022-23-q4")
    assert Action.objects.with_position(approved_only=True).get(pk=action.pk).position_rag == "green"


def test_the_reminder_command_reminds_reviewers_once_a_day(officer, manager, action, mailoutbox):
    import io

    from django.core import mail
    from django.core.management import call_command

    manager.email = "manager@example.gov.uk"
    manager.save()
    make_update(action, PERIOD, rag="amber", commentary=DRAFT, recorded_by=officer)
    out = io.StringIO()
    call_command("send_update_reminders", stdout=out)
    sent = [message for message in mail.outbox if message.to == ["manager@example.gov.uk"]]
    assert len(sent) == 1
    assert sent[0].subject == "Climate action plan: 1 status update awaiting your review"
    assert "Action 7, 2023/24 Q1: Amber" in sent[0].body and "http://testserver/actions/review/" in sent[0].body
    assert "Sent 1 reviewer reminder." in out.getvalue()
    call_command("send_update_reminders", stdout=io.StringIO())
    assert len([m for m in mail.outbox if m.to == ["manager@example.gov.uk"]]) == 1


def test_each_roles_update_through_the_site_gets_its_review_state(officer, manager, plan_admin, action):
    """Officer and plan admin (not reviewers) submit; a manager cannot record; a plan admin's import counts
    as approved; a reviewer who may record (a manager given the officer role too) is approved at once."""
    assert post_update(signed_in(officer), action, commentary="by the officer").status_code == 302
    assert StatusUpdate.objects.get(commentary="by the officer").review_state == ReviewState.SUBMITTED

    assert post_update(signed_in(manager), action, commentary="by the manager").status_code == 403
    assert not StatusUpdate.objects.filter(commentary="by the manager").exists()

    admin = signed_in(plan_admin)
    assert post_update(admin, action, commentary="by the plan admin").status_code == 302
    assert StatusUpdate.objects.get(commentary="by the plan admin").review_state == ReviewState.SUBMITTED

    header = ["No.", "Target 1", "Target 2", "Action", "Delivery Status", "RAG", "Commentary", "Target date"]
    row = [7, "✓", None, "Install heat pumps in schools", "In progress", "Red", "from the file", "2030"]
    data = workbook_bytes([header, row])
    upload = admin.post(reverse("imports:upload"), {"file": SimpleUploadedFile("q1.xlsx", data), "period": PERIOD})
    assert upload.status_code == 302, text_of(upload)
    confirmed = admin.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}), follow=True)
    assert "Imported q1.xlsx" in text_of(confirmed), text_of(confirmed)
    assert StatusUpdate.objects.get(commentary="from the file").review_state == ReviewState.APPROVED

    manager.groups.add(Group.objects.get(name="Officer"))
    action.leads.add(manager)
    assert post_update(signed_in(manager), action, commentary="by a reviewing lead").status_code == 302
    assert StatusUpdate.objects.get(commentary="by a reviewing lead").review_state == ReviewState.APPROVED


def test_the_action_page_names_each_reviewer_in_the_same_queries_however_many_decisions(client, action, manager):
    """The history says who approved or returned each update; reading it costs no query per decision."""
    reviewers = [make_user(f"reviewer{n}", first_name="Rita", last_name=f"Reviewer{n}") for n in range(4)]

    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/actions/{action.number}/")
        assert page.status_code == 200
        return text_of(page), len(captured)

    def reviewed_update(n):
        update = make_update(action, PERIOD, rag="amber", commentary=f"Update {n}", recorded_by=make_user(f"o{n}"))
        review_updates(updates=[update], decision=ReviewState.RETURNED, reviewer=reviewers[n], note=f"Note {n}")

    client.force_login(manager)
    reviewed_update(0)
    page, one_decision = page_queries()
    assert "by Rita Reviewer0" in page
    for n in (1, 2, 3):
        reviewed_update(n)
    page, four_decisions = page_queries()
    assert all(f"by Rita Reviewer{n}" in page for n in range(4))
    assert four_decisions == one_decision
