"""The managers' action list: filters, sorting, RAG counts, bad parameters, query counts."""

import csv
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from actions import views
from actions.models import RAG
from actions.tables import rag_tag
from tests.factories import make_synthetic_plan, make_update

pytestmark = pytest.mark.django_db

RED = [11, 24, 29]
AMBER = [4, 5, 10, 18, 22, 28, 38, 40, 42, 43, 46, 49, 53]
NOT_RECORDED = [9, 51, 52, 55]


def seed_rows():
    """The curated seed, read independently of the importer, to say which actions each filter must give."""
    with Path(settings.BASE_DIR, "fixtures", "cces-action-plan-2022-23-q4.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def serving(*targets):
    return sorted(int(row["number"]) for row in seed_rows() if any(row[f"target_{t}"] for t in targets))


@pytest.fixture
def as_manager(client, seeded_plan, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def on(monkeypatch):
    """Fix the list's idea of today."""

    def fix(day: date):
        monkeypatch.setattr(views.FilteredActionsMixin, "get_today", lambda self: day)

    return fix


def numbers(response):
    return [row.record.number for row in response.context["table"].paginated_rows]


def listed(client, query=""):
    response = client.get(f"/actions/{query}")
    assert response.status_code == 200
    return numbers(response)


def test_all_56_actions_fit_one_page_in_plan_order(as_manager):
    response = as_manager.get("/actions/")
    html = response.content.decode()
    assert numbers(response) == list(range(1, 57))
    assert html.count("<h1") == 1
    assert "govuk-pagination" not in html
    assert "Showing 1 to 56 of 56 actions" in html
    assert '<a class="govuk-link" href="/actions/24/">Transition all corporate transport fleets' in html


def test_anonymous_goes_to_sign_in_and_no_role_is_refused(client, seeded_plan, django_user_model):
    assert client.get("/actions/").status_code == 302
    assert client.get("/actions/export.csv").status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/actions/").status_code == 403
    assert client.get("/actions/export.xlsx").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?rag=red", RED),
        ("?rag=red&rag=amber", sorted(RED + AMBER)),
        ("?status=not_started", [11, 24, 29]),
        ("?status=not_recorded", NOT_RECORDED),
        ("?status=not_started&status=not_recorded", sorted([11, 24, 29, *NOT_RECORDED])),
        ("?q=pesticides", [11]),
        ("?q=COP27", [54]),  # only in the commentary
        ("?q=fleet", [22, 24, 31]),
        ("?q=fleet+gap", [24]),  # every word, each in the text or the commentary
        ("?rag=amber&target=7", [5, 22, 38, 40, 46]),
        ("?rag=amber&target=7&status=in_delivery", [22]),
    ],
)
def test_each_filter_and_combination_gives_exactly_the_right_actions(as_manager, query, expected):
    assert listed(as_manager, query) == expected


def test_target_filter_gives_the_actions_serving_any_chosen_target(as_manager):
    assert listed(as_manager, "?target=7") == serving(7)
    assert listed(as_manager, "?target=2&target=7") == serving(2, 7)
    assert len(serving(2, 7)) < len(serving(2)) + len(serving(7))  # overlap counted once


def test_overdue_is_target_year_passed_and_not_complete(as_manager, on):
    on(date(2023, 6, 1))
    assert listed(as_manager, "?overdue=on") == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert listed(as_manager, "?overdue=on&rag=red") == [11]
    make_update(_action(3), "2023-24-q1", rag="green", delivery_status="complete")
    assert 3 not in listed(as_manager, "?overdue=on")


def _action(number):
    from actions.models import Action

    return Action.objects.get(number=number)


def test_stale_is_no_update_in_the_current_period(as_manager, on):
    on(date(2023, 2, 1))  # within 2022/23 Q4, the seed's period
    assert listed(as_manager, "?stale=on") == []
    make_update(_action(5), "2023-24-q1", rag="red", delivery_status="in_progress")
    on(date(2023, 5, 1))  # 2023/24 Q1
    assert listed(as_manager, "?stale=on") == [n for n in range(1, 57) if n != 5]
    assert listed(as_manager, "?stale=on&rag=red") == RED


def test_period_shows_and_filters_the_position_as_it_stood(as_manager, on):
    make_update(_action(1), "2023-24-q1", rag="red", delivery_status="not_started", commentary="Stalled by staffing")
    assert listed(as_manager, "?rag=red") == [1, *RED]
    assert listed(as_manager, "?rag=red&period=2022-23-q4") == RED
    assert listed(as_manager, "?q=staffing") == [1]
    assert listed(as_manager, "?q=staffing&period=2022-23-q4") == []
    on(date(2023, 5, 1))
    # Stale as a period ended means nothing recorded for that period: the seed recorded all 56 for 2022/23 Q4,
    # and by the end of 2023/24 Q1 only action 1 had been updated.
    assert listed(as_manager, "?stale=on&period=2022-23-q4") == []
    assert listed(as_manager, "?stale=on&period=2023-24-q1") == list(range(2, 57))
    assert listed(as_manager, "?stale=on") == list(range(2, 57))
    response = as_manager.get("/actions/?period=2022-23-q4&target=2")
    html = response.content.decode()
    assert "as they stood at the end of 2022/23 Q4" in html
    # Target 2's actions as Q4 ended: 24 red; 5, 22 and 46 amber; the other ten (1 among them) green.
    assert [link["count"] for link in response.context["rag_counts"]] == [1, 3, 10]
    now = as_manager.get("/actions/?target=2")
    assert [link["count"] for link in now.context["rag_counts"]] == [2, 3, 9]


def test_rag_counts_follow_the_other_filters_and_link_to_each_colour(as_manager):
    response = as_manager.get("/actions/?target=7&rag=red")
    counts = {link["rag"]: (link["count"], link["href"], link["chosen"]) for link in response.context["rag_counts"]}
    assert counts[RAG.RED] == (0, "?target=7&rag=red", True)
    assert counts[RAG.AMBER] == (5, "?target=7&rag=amber", False)
    assert counts[RAG.GREEN][0] == len(serving(7)) - 5
    html = " ".join(response.content.decode().split())
    assert '<strong class="govuk-tag app-rag--amber">Amber</strong> 5 actions' in html
    assert (
        "These count all three colours among the actions that match your other filters, "
        "not only the red actions listed below."
    ) in html
    assert 'Red</strong> 0 actions<span class="govuk-visually-hidden">: show only red</span></a> (shown below)' in html
    assert html.count("(shown below)") == 1


def test_rag_counts_say_what_they_count(as_manager):
    response = as_manager.get("/actions/?rag=green&rag=amber")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "not only the amber and green actions listed below." in html
    assert html.count("(shown below)") == 2
    response = as_manager.get("/actions/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "How many of the actions that match your filters are each colour." in html
    assert "(shown below)" not in html


def test_sorting_by_rag_goes_red_amber_green(as_manager):
    assert listed(as_manager, "?sort=rag") == RED + AMBER + [n for n in range(1, 57) if n not in RED + AMBER]
    descending = listed(as_manager, "?sort=-rag")
    assert descending[:3] == [1, 2, 3] and descending[-3:] == RED


@pytest.mark.parametrize("column", ["number", "summary", "targets", "delivery_status", "target_date", "last_updated"])
def test_every_column_sorts_both_ways(as_manager, column):
    ascending = listed(as_manager, f"?sort={column}")
    descending = listed(as_manager, f"?sort=-{column}")
    assert sorted(ascending) == sorted(descending) == list(range(1, 57))
    assert ascending != descending


def test_sorting_by_delivery_status_follows_progress(as_manager):
    order = listed(as_manager, "?sort=delivery_status")
    assert order[:7] == [*NOT_RECORDED, 11, 24, 29]


def test_rag_cell_is_the_shared_tag(as_manager):
    for rag in ["red", "amber", "green", ""]:
        label = RAG(rag).label if rag else ""
        assert rag_tag(rag) == render_to_string("includes/rag_tag.html", {"rag": rag, "label": label}).strip()


@pytest.mark.parametrize(
    ("query", "message", "expected"),
    [
        ("?rag=purple", "‘purple’ is not a RAG colour", list(range(1, 57))),
        ("?rag=purple&target=7", "‘purple’ is not a RAG colour", serving(7)),
        ("?target=99&rag=red", "There is no target ‘99’", RED),
        ("?period=nonsense&rag=red", "‘nonsense’ is not a reporting period of the plan", RED),
        ("?page=abc", "‘abc’ is not a page number, so this is page 1", list(range(1, 57))),
        ("?page=9", "there is no page 9; the list has 1 page", list(range(1, 57))),
        ("?per_page=0", "‘0’ is not a number from 1 to 500", list(range(1, 57))),
        ("?per_page=²", "‘²’ is not a number from 1 to 500", list(range(1, 57))),
        ("?per_page=٣", "‘٣’ is not a number from 1 to 500", list(range(1, 57))),
        ("?page=²", "‘²’ is not a page number, so this is page 1", list(range(1, 57))),
        ("?page=99999999999999999999999", "is not a page number, so this is page 1", list(range(1, 57))),
        ("?sort=colour&rag=red", "cannot be sorted by ‘colour’", RED),
    ],
)
def test_bad_parameters_are_reported_and_the_other_filters_still_apply(as_manager, query, message, expected):
    response = as_manager.get(f"/actions/{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert "<title>Error: Actions" in html
    assert "applies your other filters" in html
    assert numbers(response) == expected


def test_pagination_for_a_larger_plan(client, manager):
    make_synthetic_plan(150)
    client.force_login(manager)
    response = client.get("/actions/?page=2")
    assert numbers(response) == list(range(101, 151))
    assert "Showing 101 to 150 of 150 actions" in response.content.decode()
    assert numbers(client.get("/actions/?per_page=50&page=3")) == list(range(101, 151))


@pytest.mark.parametrize("size", [56, 500])
@pytest.mark.parametrize(
    "query", ["", "?rag=red&target=2&sort=rag", "?period=2019-20-q2&q=progress&sort=-targets&page=2"]
)
def test_the_list_runs_a_fixed_number_of_queries(client, manager, django_assert_num_queries, size, query):
    make_synthetic_plan(size, quarters=2)
    client.force_login(manager)
    # session, user, the user's two permission lookups, targets, services, portfolio holders, partners,
    # periods, RAG counts (which also give the list's length), the page's actions, their target links
    with django_assert_num_queries(12):
        assert client.get(f"/actions/{query}").status_code == 200


@pytest.mark.parametrize("size", [56, 500])
def test_the_action_page_runs_a_fixed_number_of_queries(client, manager, django_assert_num_queries, size):
    make_synthetic_plan(size, quarters=3)
    client.force_login(manager)
    # session, user, two permission lookups, action with current status (and service, portfolio holder),
    # targets, leads, partners, funding, milestones, links, merged from, history
    with django_assert_num_queries(13):
        response = client.get("/actions/2/")
        assert response.status_code == 200
    html = response.content.decode()
    assert html.count("progress noted for action 2.") == 4  # current commentary, then three in the history


def test_action_page_shows_leads_merges_and_history_newest_first(client, manager, officer):
    from tests.factories import make_action, make_targets

    targets = make_targets()
    action = make_action(7, text="Plant trees - on council land", targets=targets[:2], target_date_text="2030")
    action.leads.add(officer)
    older = make_action(8, text="Plant hedges", merged_into=action)
    make_update(action, "2022-23-q4", rag="red", delivery_status="not_started", commentary="Not begun")
    make_update(
        action,
        "2023-24-q1",
        rag="amber",
        delivery_status="in_progress",
        commentary="Nursery found",
        recorded_by=officer,
    )
    client.force_login(manager)
    html = client.get("/actions/7/").content.decode()
    assert '<h1 class="govuk-heading-l">Plant trees</h1>' in html
    # The short title heads the page once; the sub-point after " - " is a list item, not run-on text.
    assert html.count("Plant trees") == 1  # in the heading, not repeated in the text below it
    assert "<li>on council land</li>" in html
    assert "Plant trees - on council land" not in html
    assert '<a class="govuk-link" href="/targets/1/">Target 1: Target 1 title</a>' in html
    assert "officer" in html and "2030" in html
    assert f'<a class="govuk-link" href="/actions/{older.number}/">Action 8</a>' in html
    history = html[html.index('<h2 class="govuk-heading-m">History</h2>') :]
    assert history.index("2023/24 Q1") < history.index("2022/23 Q4")
    assert history.index("Nursery found") < history.index("Not begun")
    assert "by officer (web form)" in history and "by the system (web form)" in history
    assert '<a class="govuk-breadcrumbs__link" href="/actions/">Actions</a>' in html


def test_sort_links_keep_the_filters_and_go_back_to_page_one(client, manager):
    make_synthetic_plan(150)
    client.force_login(manager)
    html = client.get("/actions/?rag=red&page=2&per_page=20&sort=rag").content.decode()
    assert 'href="?rag=red&amp;per_page=20&amp;sort=-rag"' in html
    assert 'aria-sort="ascending"' in html


@pytest.mark.parametrize(
    ("sort", "arrow", "words"), [("rag", "&#9650;", "ascending"), ("-rag", "&#9660;", "descending")]
)
def test_the_sorted_column_shows_its_direction(as_manager, sort, arrow, words):
    response = as_manager.get(f"/actions/?sort={sort}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'aria-sort="{words}"' in html
    assert (
        f'RAG<span aria-hidden="true"> {arrow}</span><span class="govuk-visually-hidden"> (sorted {words})</span>'
    ) in html
    assert html.count('<span aria-hidden="true"> &#96') == 1  # only the sorted column has an arrow


def grow_action_page(number: int, size: str):
    """Action `number` with one bare update ("small"), or a page that grows in every direction ("large"): history
    rows from three imports and from four people, three leads and two actions merged into it."""
    from actions.imports.apply import apply_import
    from actions.imports.reading import read_plan_file
    from actions.imports.rows import target_headings
    from actions.models import Action, ReportingPeriod
    from targets.models import Target
    from tests.factories import HEADER, make_action, make_targets, make_user, plan_row, workbook_bytes

    targets = make_targets()
    action = make_action(number, targets=targets[:2])
    make_update(action, "2022-23-q4", rag="red", commentary="First position")
    if size == "small":
        return [], []
    files = [f"quarter-{n}.xlsx" for n in (1, 2, 3)]
    for name, slug, rag in zip(
        files, ["2023-24-q1", "2023-24-q2", "2023-24-q3"], ["Amber", "Green", "Red"], strict=True
    ):
        data = workbook_bytes([HEADER, plan_row(number, text=action.text, rag=rag, commentary=f"From {name}")])
        parsed = read_plan_file(data, name, target_headings(Target.objects.all()))
        apply_import(parsed, ReportingPeriod.objects.for_slug(slug))
    people = [make_user(f"officer{n}", first_name=f"Officer{n}", last_name="Person") for n in range(1, 5)]
    for person, slug in zip(people, ["2023-24-q3", "2023-24-q4", "2024-25-q1", "2024-25-q2"], strict=True):
        make_update(action, slug, rag="amber", commentary=f"By {person.username}", recorded_by=person)
    action.leads.add(*people[:3])
    for other in (number + 1, number + 2):
        make_action(other, merged_into=Action.objects.get(number=number))
    return files, people


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_action_page_costs_the_same_queries_however_its_history_and_people_grow(
    client, manager, django_assert_num_queries, size
):
    files, people = grow_action_page(5, size)
    client.force_login(manager)
    # session, user, two permission lookups, action with current status (and service, portfolio holder),
    # targets, leads, partners, funding, milestones, links, merged from, history
    with django_assert_num_queries(13):
        response = client.get("/actions/5/")
        assert response.status_code == 200
    html = response.content.decode()
    history = html[html.index('<h2 class="govuk-heading-m">History</h2>') :]
    assert history.count('<tr class="govuk-table__row">') == 1 + 1 + len(files) + len(
        people
    )  # header, first position, imports, people
    for name in files:
        assert f"by the system (spreadsheet import: {name})" in history
    for person in people:
        assert f"by {person.get_full_name()} (web form)" in history
    for lead in people[:3]:
        assert lead.get_full_name() in html[: html.index('<h2 class="govuk-heading-m">History</h2>')]
    if size == "large":
        assert 'href="/actions/6/">Action 6</a>, <a class="govuk-link" href="/actions/7/">Action 7</a>' in html


def test_each_chosen_filter_is_a_tag_that_removes_it(as_manager):
    response = as_manager.get("/actions/?rag=red&rag=amber&target=2&overdue=on&q=heat&sort=rag&page=2&per_page=20")
    assert response.status_code == 200
    tags = {tag["label"]: tag["href"] for tag in response.context["selected_filters"]}
    assert tags == {
        "RAG: Red": "?rag=amber&target=2&overdue=on&q=heat&sort=rag&per_page=20",
        "RAG: Amber": "?rag=red&target=2&overdue=on&q=heat&sort=rag&per_page=20",
        "Target: 2: Council net zero 2030": "?rag=red&rag=amber&overdue=on&q=heat&sort=rag&per_page=20",
        "Overdue only (target year passed and not complete)": "?rag=red&rag=amber&target=2&q=heat&sort=rag&per_page=20",
        "Words: “heat”": "?rag=red&rag=amber&target=2&overdue=on&sort=rag&per_page=20",
    }
    html = " ".join(response.content.decode().split())
    assert '<h3 class="govuk-heading-s govuk-!-margin-bottom-0">Selected filters</h3>' in html
    assert (
        '<a class="moj-filter__tag" '
        'href="?rag=amber&amp;target=2&amp;overdue=on&amp;q=heat&amp;sort=rag&amp;per_page=20">'
        '<span class="govuk-visually-hidden">Remove this filter: </span>RAG: Red</a>'
    ) in html
    # Following a tag gives the list without that filter and keeps the others.
    assert listed(as_manager, tags["RAG: Red"].replace("per_page=20", "per_page=100")) == listed(
        as_manager, "?rag=amber&target=2&overdue=on&q=heat&per_page=100"
    )


def test_the_last_tag_leads_to_the_whole_list_and_bad_values_make_no_tag(as_manager):
    response = as_manager.get("/actions/?rag=red&target=99")
    assert response.status_code == 200
    assert response.context["selected_filters"] == [{"label": "RAG: Red", "href": "?target=99"}]
    response = as_manager.get("/actions/?rag=red")
    assert response.context["selected_filters"] == [{"label": "RAG: Red", "href": "?"}]
    response = as_manager.get("/actions/")
    assert response.status_code == 200
    assert response.context["selected_filters"] == []
    assert "Selected filters" not in response.content.decode()
    assert '<link rel="stylesheet" href="/static/moj/moj-frontend.css">' in response.content.decode()
