"""Recording a status: history is appended, never overwritten, and a stale writer is refused."""

import pytest

from actions.models import ReportingPeriod, StatusSource, StatusUpdate
from actions.services import StatusConflict, record_status
from tests.factories import make_action, make_update, make_user, run_concurrently

pytestmark = pytest.mark.django_db


def record(action, *, rag="amber", commentary="Held up by procurement", **extra):
    return record_status(
        action=action,
        period=ReportingPeriod.objects.for_slug("2023-24-q1"),
        delivery_status="in_progress",
        rag=rag,
        commentary=commentary,
        recorded_by=None,
        source=StatusSource.WEB,
        **extra,
    )


def test_history_is_appended_and_earlier_updates_are_untouched():
    action = make_action(1)
    first = make_update(action, "2022-23-q4", rag="green", commentary="On track")
    second = record(action, expected_current=first)
    first.refresh_from_db()
    assert (first.rag, first.commentary) == ("green", "On track")
    assert list(action.status_updates.newest_first()) == [second, first]
    action.refresh_from_db()
    assert (action.current_update, action.current_rag, action.current_period_id) == (second, "amber", "2023-24-q1")
    assert second.based_on == first


def test_a_writer_based_on_an_older_update_is_refused_and_nothing_is_saved():
    action = make_action(1)
    first = make_update(action, "2022-23-q4")
    theirs = record(action, rag="red", commentary="Theirs", expected_current=first)
    with pytest.raises(StatusConflict) as refused:
        record(action, commentary="Mine", expected_current=first)
    assert refused.value.current == theirs
    assert StatusUpdate.objects.filter(action=action).count() == 2
    action.refresh_from_db()
    assert action.current_update == theirs


def test_expecting_no_status_is_refused_once_there_is_one():
    action = make_action(1)
    record(action, expected_current=None)
    with pytest.raises(StatusConflict):
        record(action, expected_current=None)


def test_without_expected_current_nothing_is_checked():
    action = make_action(1)
    make_update(action, "2022-23-q4")
    record(action)
    record(action)
    assert action.status_updates.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_at_once_based_on_the_same_update_only_one_is_saved(slow_write):
    action = make_action(1)
    base = make_update(action, "2022-23-q4")
    alice, bob = make_user("alice"), make_user("bob")

    def write(user, words):
        return lambda: record_status(
            action=action,
            period=ReportingPeriod.objects.for_slug("2023-24-q1"),
            delivery_status="in_progress",
            rag="amber",
            commentary=words,
            recorded_by=user,
            source=StatusSource.WEB,
            expected_current=base,
        )

    outcomes = run_concurrently(write(alice, "Alice's words"), write(bob, "Bob's words"))

    saved = [outcome for outcome in outcomes if isinstance(outcome, StatusUpdate)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, StatusConflict)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    assert refused[0].current.pk == saved[0].pk
    assert action.status_updates.count() == 2
    action.refresh_from_db()
    assert action.current_update_id == saved[0].pk


def test_the_refusal_says_whose_update_now_stands_and_when():
    """The message a caller logs or shows (the command line, a future API) names the update that won."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    action = make_action(3)
    first = make_update(action, "2022-23-q4")
    officer = make_user("olive", first_name="Olive", last_name="Oak")
    theirs = make_update(action, "2022-23-q4", recorded_by=officer)
    StatusUpdate.objects.filter(pk=theirs.pk).update(recorded_at=datetime(2023, 3, 2, 9, 30, tzinfo=ZoneInfo("UTC")))
    with pytest.raises(StatusConflict) as refusal:
        record(action, expected_current=first)
    assert str(refusal.value) == (
        "Action 3's status changed while you were editing it: it is now the update recorded "
        "by Olive Oak on 02 Mar 2023 09:30 for 2022-23-q4, not the one you started from."
    )
    assert (refusal.value.action.pk, refusal.value.expected, refusal.value.current) == (action.pk, first, theirs)

    unnamed = make_user("bot")
    by_system = make_update(action, "2023-24-q1", recorded_by=None)
    with pytest.raises(StatusConflict, match=r"recorded by the system on \d\d \w{3} \d{4} \d\d:\d\d for 2023-24-q1,"):
        record(action, expected_current=theirs)
    by_username = make_update(action, "2023-24-q1", recorded_by=unnamed)
    with pytest.raises(StatusConflict, match=r"recorded by bot on .* for 2023-24-q1, not the one"):
        record(action, expected_current=by_system)
    assert by_username.pk


def test_the_refusal_for_an_update_that_is_gone_says_none():
    action = make_action(4)
    standing = make_update(action, "2022-23-q4")
    with pytest.raises(StatusConflict, match=r"it is now the update recorded \(none\), not the one"):
        record(make_action(5), expected_current=standing)


def test_refreshing_the_current_status_takes_actions_or_their_ids():
    from actions.models import Action
    from actions.services import refresh_current_status

    first, second = make_action(1), make_action(2)
    make_update(first, "2022-23-q4", rag="red")
    make_update(second, "2022-23-q4", rag="green")
    Action.objects.update(current_update=None, current_period=None, current_rag="", current_delivery_status="")
    refresh_current_status([first.pk, second])
    assert list(Action.objects.order_by("number").values_list("current_rag", "current_period_id")) == [
        ("red", "2022-23-q4"),
        ("green", "2022-23-q4"),
    ]
