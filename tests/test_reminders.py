"""Reminder emails to lead officers: what is due, once a day, and recorded."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command

from actions import roles
from actions.models import ReportingPeriod, UpdateReminder
from actions.reminders import reminders_due, reviews_due, send_update_reminders
from tests.factories import make_action, make_update, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2023, 5, 10)  # 2023/24 Q1


@pytest.fixture
def plan(officer, manager):
    officer.email, officer.first_name = "olu@example.org", "Olu"
    officer.save()
    awaiting = make_action(1, text="Insulate the depots")
    make_update(awaiting, "2022-23-q4")
    updated = make_action(2)
    make_update(updated, "2022-23-q4")
    make_update(updated, "2023-24-q1")
    complete = make_action(3)
    make_update(complete, "2022-23-q4", delivery_status="complete")
    merged = make_action(4, merged_into=awaiting)
    never = make_action(5, text="Start a repair cafe")
    for action in (awaiting, updated, complete, merged, never):
        action.leads.add(officer)
    managed = make_action(6)
    managed.leads.add(manager)  # a lead without the officer role is not asked to record anything
    return officer


def test_each_lead_is_emailed_the_actions_still_awaiting_the_period(plan):
    run = send_update_reminders(today=TODAY, base_url="https://plan.example.org")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olu@example.org"]
    assert message.subject == "Climate action plan: 2 actions to update for 2023/24 Q1"
    assert "Action 1: Insulate the depots" in message.body
    assert "https://plan.example.org/actions/1/update/" in message.body
    assert "Action 5: Start a repair cafe" in message.body
    assert "Action 2:" not in message.body and "Action 3:" not in message.body and "Action 4:" not in message.body
    reminder = UpdateReminder.objects.get()
    assert run.sent == [reminder]
    assert (reminder.recipient, reminder.email, reminder.period_id, reminder.sent_on, reminder.forced) == (
        plan,
        "olu@example.org",
        "2023-24-q1",
        TODAY,
        False,
    )
    assert sorted(reminder.actions.values_list("number", flat=True)) == [1, 5]


def test_nothing_is_sent_twice_in_a_day_unless_forced(plan):
    send_update_reminders(today=TODAY)
    again = send_update_reminders(today=TODAY)
    assert (len(mail.outbox), again.sent, again.already_reminded) == (1, [], [plan])

    forced = send_update_reminders(today=TODAY, force=True)
    assert len(mail.outbox) == 2
    assert forced.sent[0].forced is True

    send_update_reminders(today=TODAY + timedelta(days=1))
    assert len(mail.outbox) == 3
    assert UpdateReminder.objects.count() == 3


def test_a_lead_with_nothing_awaiting_gets_nothing(plan):
    make_update(plan.led_actions.get(number=1), "2023-24-q1")
    make_update(plan.led_actions.get(number=5), "2023-24-q1")
    run = send_update_reminders(today=TODAY)
    assert (mail.outbox, run.sent) == ([], [])


def test_a_lead_without_an_email_address_is_reported_not_emailed(plan):
    nameless = make_user("noemail", role=roles.OFFICER)
    make_action(7).leads.add(nameless)
    run = send_update_reminders(today=TODAY)
    assert run.without_email == [nameless]
    assert [message.to for message in mail.outbox] == [["olu@example.org"]]


def test_a_dry_run_sends_and_records_nothing(plan):
    run = send_update_reminders(today=TODAY, dry_run=True)
    assert [(user, [a.number for a in actions]) for user, actions in run.would_send] == [(plan, [1, 5])]
    assert (mail.outbox, UpdateReminder.objects.count()) == ([], 0)


def test_the_command_sends_once_a_day_and_says_so(plan):
    # The command uses today's date; name the period so the plan's updates are what decides.
    out = io.StringIO()
    call_command("send_update_reminders", "--period", "2023-24-q1", stdout=out, stderr=io.StringIO())
    assert "Sent 1 reminder for 2023/24 Q1." in out.getvalue()
    assert len(mail.outbox) == 1

    out = io.StringIO()
    call_command("send_update_reminders", "--period", "2023-24-q1", stdout=out, stderr=io.StringIO())
    assert "Sent 0 reminders" in out.getvalue()
    assert "1 already reminded today" in out.getvalue()
    assert len(mail.outbox) == 1

    call_command("send_update_reminders", "--period", "2023-24-q1", "--force", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert ReportingPeriod.objects.filter(slug="2023-24-q1").exists()


def test_a_failed_send_is_not_recorded_so_the_next_run_retries(plan, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        send_update_reminders(today=TODAY)
    assert UpdateReminder.objects.count() == 0
    monkeypatch.undo()
    assert len(send_update_reminders(today=TODAY).sent) == 1


def test_the_command_refuses_to_send_links_without_a_base_url(plan, settings):
    settings.CCES_BASE_URL = ""
    with pytest.raises(CommandError, match="CCES_BASE_URL"):
        call_command("send_update_reminders", stdout=io.StringIO())
    assert mail.outbox == []


def test_links_in_the_email_have_one_slash_however_the_base_url_ends(plan):
    send_update_reminders(today=TODAY, base_url="https://council.example.org/CLIMATEX/")
    body = mail.outbox[0].body
    assert "Record its status: https://council.example.org/CLIMATEX/actions/1/update/" in body
    assert "All the actions you lead are at https://council.example.org/CLIMATEX/actions/mine/" in body
    assert "//actions" not in body


def test_an_inactive_lead_is_not_reminded(plan):
    plan.is_active = False
    plan.save()
    run = send_update_reminders(today=TODAY)
    assert (mail.outbox, run.sent, run.would_send) == ([], [], [])


def test_a_lead_reminded_today_is_not_reminded_again_whoever_was_reminded_first(db):
    # The once-a-day rule is per person: with more people than reminders, a person's id and a reminder's differ.
    for name in ("first", "second", "third"):
        make_user(name, role=roles.OFFICER)
    lead = make_user("lead", role=roles.OFFICER, email="lead@example.org")
    make_action(1).leads.add(lead)
    assert len(send_update_reminders(today=TODAY).sent) == 1
    again = send_update_reminders(today=TODAY)
    assert (again.sent, again.already_reminded, len(mail.outbox)) == ([], [lead], 1)


def test_finding_who_to_remind_costs_the_same_queries_however_many_actions(plan, django_assert_num_queries):
    period = ReportingPeriod.objects.for_slug("2023-24-q1")
    with django_assert_num_queries(3):
        due = reminders_due(period)
        assert {lead: [a.number for a in actions] for lead, actions in due.items()} == {plan: [1, 5]}
    for number in range(10, 16):
        make_action(number).leads.add(plan)
    with django_assert_num_queries(3):
        due = reminders_due(period)
        assert [a.number for a in due[plan]] == [1, 5, 10, 11, 12, 13, 14, 15]


def awaiting_review(officer, count):
    for number in range(1, count + 1):
        action = make_action(20 + number)
        make_update(action, "2023-24-q1", rag="amber", recorded_by=officer)


def test_a_reviewer_is_told_how_many_updates_await_review(plan, manager):
    manager.email = "manager@example.org"
    manager.save()
    awaiting_review(plan, 2)
    run = send_update_reminders(today=TODAY)
    [message] = [message for message in mail.outbox if message.to == ["manager@example.org"]]
    assert message.subject == "Climate action plan: 2 status updates awaiting your review"
    assert "2 status updates await your review" in message.body
    assert "- Action 21, 2023/24 Q1: Amber" in message.body and "- Action 22, 2023/24 Q1: Amber" in message.body
    assert [(reminder.recipient, reminder.email) for reminder in run.reviewers_sent] == [
        (manager, "manager@example.org")
    ]
    assert UpdateReminder.objects.get(kind=UpdateReminder.Kind.REVIEW).email == "manager@example.org"
    assert run.reviewers_sent[0].forced is False

    again = send_update_reminders(today=TODAY)
    assert (again.sent, again.reviewers_sent, again.already_reminded) == ([], [], [plan, manager])


class CountingBackend(locmem.EmailBackend):
    """The test mail server: counts the connections made to it."""

    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).opened += 1


def test_one_run_sends_every_email_over_one_mail_server_connection(plan, manager, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.test_reminders.CountingBackend"
    monkeypatch.setattr(CountingBackend, "opened", 0)
    manager.email = "manager@example.org"
    manager.save()
    awaiting_review(plan, 1)
    run = send_update_reminders(today=TODAY)
    assert (len(run.sent), len(run.reviewers_sent), len(mail.outbox)) == (1, 1, 2)
    assert CountingBackend.opened == 1


def test_an_inactive_reviewer_is_not_reminded(plan, manager):
    manager.email, manager.is_active = "manager@example.org", False
    manager.save()
    awaiting_review(plan, 1)
    run = send_update_reminders(today=TODAY)
    assert (run.reviewers_sent, [m for m in mail.outbox if m.to == ["manager@example.org"]]) == ([], [])


def test_listing_what_awaits_review_costs_two_queries_however_many_updates(plan, manager, django_assert_num_queries):
    awaiting_review(plan, 4)
    with django_assert_num_queries(2):
        reviewers, waiting = reviews_due()
        assert reviewers == [manager]
        assert [(update.action.number, update.period.label) for update in waiting] == [
            (21, "2023/24 Q1"),
            (22, "2023/24 Q1"),
            (23, "2023/24 Q1"),
            (24, "2023/24 Q1"),
        ]


def test_a_reviewer_without_an_email_address_is_named_and_the_next_reviewer_still_reminded(plan, manager):
    # "manager" has no email address and sorts before "zoe"; the command names them on stderr.
    zoe = make_user("zoe", role=roles.MANAGER, email="zoe@example.org")
    awaiting_review(plan, 1)
    out, err = io.StringIO(), io.StringIO()
    call_command("send_update_reminders", "--period", "2023-24-q1", stdout=out, stderr=err)
    assert "No email address for manager: not reminded." in err.getvalue()
    assert [m.subject for m in mail.outbox if m.to == ["zoe@example.org"]] == [
        "Climate action plan: 1 status update awaiting your review"
    ]
    assert UpdateReminder.objects.filter(kind=UpdateReminder.Kind.REVIEW).get().recipient == zoe
