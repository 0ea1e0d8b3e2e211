"""Reminder emails to lead officers: what is due, once a day, and recorded."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command

from actions import roles
from actions.models import ReportingPeriod, UpdateReminder
from actions.reminders import send_update_reminders
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
