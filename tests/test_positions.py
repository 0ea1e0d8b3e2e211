"""An action's position now and as it stood at the end of an earlier period."""

from datetime import date

import pytest

from actions.models import Action
from tests.factories import make_action, make_update

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
