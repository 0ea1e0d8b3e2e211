"""The targets pages: each target's RAG breakdown, and its actions in the action table."""

import pytest

from tests.factories import make_synthetic_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_manager(client, seeded_plan, manager):
    client.force_login(manager)
    return client


def test_targets_need_a_reader(client, seeded_plan, django_user_model):
    assert client.get("/targets/").status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/targets/2/").status_code == 403


def test_target_list_shows_each_targets_rag_breakdown_as_text(as_manager):
    response = as_manager.get("/targets/")
    html = response.content.decode()
    assert html.count("<h1") == 1
    breakdown = {t.number: (t.action_count, t.red, t.amber, t.green, t.no_status) for t in response.context["targets"]}
    # Target 2's actions: 24 red; 5, 22 and 46 amber; ten green.
    assert breakdown[2] == (14, 1, 3, 10, 0)
    assert len(breakdown) == 7
    assert '<a class="govuk-link" href="/targets/2/">Target 2: Net zero for the Council' in html
    assert "Red 1</li>" in html and "Amber 3</li>" in html and "Green 10</li>" in html


def test_target_page_lists_its_actions_in_the_action_table(as_manager):
    response = as_manager.get("/targets/2/?sort=rag")
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert [row.record.number for row in response.context["table"].paginated_rows] == [
        24,
        5,
        22,
        46,
        1,
        2,
        12,
        13,
        14,
        45,
        47,
        48,
        55,
        56,
    ]
    assert response.context["rag_counts"] == {"red": 1, "amber": 3, "green": 10}
    assert 'href="/actions/?target=2"' in html


@pytest.mark.parametrize("query", ["page=²", "per_page=²", "page=%C2%B2&per_page=%C2%B9"])
def test_target_page_reports_a_superscript_page_instead_of_failing(as_manager, query):
    response = as_manager.get(f"/targets/1/?{query}")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_target_page_reports_a_bad_page(as_manager):
    html = as_manager.get("/targets/2/?page=abc").content.decode()
    assert "govuk-error-summary" in html and "‘abc’ is not a page number" in html
    assert "<title>Error: Target 2" in html


def test_unknown_target_is_404(as_manager):
    assert as_manager.get("/targets/99/").status_code == 404


@pytest.mark.parametrize("size", [56, 500])
def test_target_pages_run_a_fixed_number_of_queries(client, manager, django_assert_num_queries, size):
    make_synthetic_plan(size, quarters=2)
    client.force_login(manager)
    # session, user, two permission lookups, the targets with their counts
    with django_assert_num_queries(5):
        assert client.get("/targets/").status_code == 200
    # session, user, two permission lookups, the target, RAG counts, page count, actions, target links,
    # the target's indicators (none here; tests/test_indicators_queries.py counts them with indicators)
    with django_assert_num_queries(10):
        assert client.get("/targets/1/").status_code == 200
