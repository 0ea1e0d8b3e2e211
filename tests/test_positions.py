"""An action's position now and as it stood at the end of an earlier period."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from actions.models import Action, ActionTarget, ReportingPeriod, StatusUpdate
from tests.factories import make_action, make_targets, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    early = make_action(1, target_date_text="2022")
    make_update(early, "2022-23-q4", rag="red", delivery_status="not_started")
    make_update(early, "2023-24-q1", rag="amber", delivery_status="in_progress")
    late = make_action(2, target_date_text="ongoing")
    make_update(late, "2023-24-q1", rag="green", delivery_status="complete")
    done = make_action(3, target_date_text="2021")
    make_update(done, "2022-23-q4", rag="green", delivery_status="complete")
    return early, late, done


def positions(queryset):
    return {a.number: (a.position_rag, a.position_delivery_status, a.position_period_id) for a in queryset}


def test_current_position_is_the_latest_update(history):
    assert positions(Action.objects.with_position()) == {
        1: ("amber", "in_progress", "2023-24-q1"),
        2: ("green", "complete", "2023-24-q1"),
        3: ("green", "complete", "2022-23-q4"),
    }


def test_position_as_an_earlier_period_ended(history):
    assert positions(Action.objects.with_position("2022-23-q4")) == {
        1: ("red", "not_started", "2022-23-q4"),
        2: ("", "", None),
        3: ("green", "complete", "2022-23-q4"),
    }


def test_overdue_is_target_year_passed_and_not_complete(history):
    overdue = Action.objects.with_position().overdue(on=date(2023, 6, 1))
    assert list(overdue.values_list("number", flat=True)) == [1]
    assert not Action.objects.with_position().overdue(on=date(2022, 12, 31)).exists()


def test_stale_means_no_update_in_the_period(history):
    stale = Action.objects.with_position().stale("2023-24-q1")
    assert list(stale.values_list("number", flat=True)) == [3]


def test_rag_counts_count_the_annotated_position(history):
    assert Action.objects.rag_counts() == {"red": 0, "amber": 1, "green": 2}
    assert Action.objects.with_position("2022-23-q4").rag_counts(include_none=True) == {
        "red": 1,
        "amber": 0,
        "green": 1,
        "": 1,
    }


def test_rag_severity_sorts_red_amber_green_then_no_status(history):
    make_update(make_action(4), "2022-23-q4", rag="amber")
    ordered = Action.objects.with_position("2022-23-q4").with_rag_severity().order_by("rag_severity", "number")
    assert [(a.number, a.position_rag) for a in ordered] == [(1, "red"), (4, "amber"), (3, "green"), (2, "")]


def test_delivery_progress_and_first_target_annotations(history):
    ordered = Action.objects.with_position().with_delivery_progress().order_by("delivery_progress", "number")
    assert [a.number for a in ordered] == [1, 2, 3]  # in progress, then the two complete
    targets = make_targets(3)
    early, _late, done = history
    for action, serves in ((early, targets[1:]), (done, targets[:1])):
        for target in serves:
            ActionTarget.objects.create(action=action, target=target)
    assert [(a.number, a.first_target) for a in Action.objects.with_first_target()] == [(1, 2), (2, None), (3, 1)]


def test_the_list_judges_overdue_on_the_chosen_periods_last_day(client, history, manager):
    due_2023 = make_action(4, target_date_text="2023")
    make_update(due_2023, "2022-23-q4", rag="green", delivery_status="in_progress")
    client.force_login(manager)

    def overdue(query):
        return sorted(row.number for row in client.get(f"/actions/?overdue=on{query}").context["table"].data)

    # 31 March 2023, the end of 2022/23 Q4: a 2023 target is not yet overdue; a 2022 one is.
    assert overdue("&period=2022-23-q4") == [1]
    # Today (after 2023) both are.
    assert overdue("") == [1, 4]


def test_a_back_filled_earlier_period_does_not_displace_the_later_periods_position(client, manager):
    """An officer records 2023/24 Q2, then back-fills the Q1 they had missed. Recorded last, Q1 is still the
    earlier period: the position now, and as Q2 ended, is Q2's; as Q1 ended it is Q1's."""
    make_targets()
    action = make_action(1)
    make_update(action, "2023-24-q2", rag="green", delivery_status="in_delivery", commentary="Q2: delivering")
    make_update(action, "2023-24-q1", rag="red", delivery_status="not_started", commentary="Q1: not begun")
    client.force_login(manager)

    def exported(query=""):
        response = client.get(f"/actions/export.csv{query}")
        assert response.status_code == 200
        header, row = list(csv.reader(io.StringIO(response.getvalue().decode())))
        return [row[header.index(name)] for name in ("Delivery Status", "RAG", "Commentary")]

    assert exported() == ["In delivery", "Green", "Q2: delivering"]
    assert exported("?period=2023-24-q2") == ["In delivery", "Green", "Q2: delivering"]
    assert exported("?period=2023-24-q1") == ["Not started", "Red", "Q1: not begun"]

    page = client.get("/actions/1/")
    assert page.status_code == 200
    current = page.content.decode().split('<h2 class="govuk-heading-m">History</h2>')[0]
    assert "Q2: delivering" in current and "2023/24 Q2" in current and "Q1: not begun" not in current

    report = client.get("/reports/2023-24-q2/")
    assert report.status_code == 200
    assert [(p.number, p.rag) for p in report.context["report"].positions] == [(1, "green")]
    report = client.get("/reports/2023-24-q1/")
    assert [(p.number, p.rag) for p in report.context["report"].positions] == [(1, "red")]


def test_history_lists_the_later_period_first_then_the_later_recording():
    action = make_action(41)
    q2 = make_update(action, "2023-24-q2", rag="green")
    backfilled = make_update(action, "2023-24-q1", rag="amber")  # recorded after Q2's, for an earlier quarter
    # Recording times that do not follow the rows' ids, as a history restored from a backup may have.
    late, early = make_update(action, "2022-23-q4", rag="red"), make_update(action, "2022-23-q4", rag="amber")
    StatusUpdate.objects.filter(pk=late.pk).update(recorded_at=datetime(2023, 3, 30, tzinfo=UTC))
    StatusUpdate.objects.filter(pk=early.pk).update(recorded_at=datetime(2023, 3, 1, tzinfo=UTC))
    history = list(StatusUpdate.objects.filter(action=action).newest_first())
    assert [u.pk for u in history] == [q2.pk, backfilled.pk, late.pk, early.pk]


def test_two_recordings_at_the_same_moment_list_the_later_one_first_as_the_current_status(client, manager):
    """Two updates for one quarter with the same recording time (as a restored backup may hold): the one
    recorded later is the action's current status, and its page's history lists it first, on top of the
    other, in the order the rest of the plan reads them."""
    action = make_action(42)
    first = make_update(action, "2023-24-q1", rag="red", commentary="First words")
    second = make_update(action, "2023-24-q1", rag="green", commentary="Second words")
    StatusUpdate.objects.filter(action=action).update(recorded_at=datetime(2023, 5, 10, 9, 30, tzinfo=UTC))
    assert Action.objects.get(pk=action.pk).current_update_id == second.pk
    client.force_login(manager)
    page = client.get("/actions/42/")
    assert [update.commentary for update in page.context["history"]] == ["Second words", "First words"]
    history = page.content.decode().split('<h2 class="govuk-heading-m">History</h2>')[1]
    assert history.index("Second words") < history.index("First words")
    assert first.pk < second.pk


def test_when_the_clock_gives_two_recordings_the_same_time_the_later_one_is_the_current_status(
    client, manager, monkeypatch
):
    """A clock that does not move between two recordings (a coarse or stalled server clock): the update
    recorded second still becomes the action's current status, on its page and in the plan's positions."""
    stalled = datetime(2023, 5, 10, 9, 30, tzinfo=UTC)

    class StalledClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return stalled

    action = make_action(43)
    with monkeypatch.context() as patch:
        patch.setattr("django.utils.timezone.datetime", StalledClock)
        make_update(action, "2023-24-q1", rag="red", delivery_status="not_started", commentary="Recorded first")
        make_update(action, "2023-24-q1", rag="green", delivery_status="in_delivery", commentary="Recorded second")
    assert set(StatusUpdate.objects.filter(action=action).values_list("recorded_at", flat=True)) == {stalled}
    client.force_login(manager)
    page = client.get("/actions/43/").content.decode()
    current = page.split('<h2 class="govuk-heading-m">History</h2>')[0]
    assert "Recorded second" in current and "Recorded first" not in current
    assert positions(Action.objects.filter(pk=action.pk).with_position()) == {
        43: ("green", "in_delivery", "2023-24-q1")
    }


def test_the_period_an_action_was_added_in_is_the_first_by_whose_end_it_existed():
    early = make_action(1, created_at=datetime(2022, 5, 1, tzinfo=UTC))
    between = make_action(2, created_at=datetime(2022, 8, 1, tzinfo=UTC))
    late = make_action(3, created_at=datetime(2023, 6, 1, tzinfo=UTC))
    # Q2 is not on record: an action added during it was in the plan by the next period on record.
    periods = [ReportingPeriod.objects.for_slug("2022-23-q1"), ReportingPeriod.objects.for_slug("2022-23-q3")]
    added = dict(Action.objects.with_period_added(periods).values_list("pk", "added_in"))
    assert added == {early.pk: "2022-23-q1", between.pk: "2022-23-q3", late.pk: None}
    # With no period on record, none was added in one.
    assert set(Action.objects.with_period_added([]).values_list("added_in", flat=True)) == {None}
