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
