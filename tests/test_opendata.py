"""Open data downloads: each dataset as CSV and JSON, valid against its served JSON Schema, published data only."""

import csv
import io
from datetime import UTC, datetime

import jsonschema
import pytest
from django.core.cache import cache

from actions.models import ReportingPeriod
from public.opendata import DATASETS, LIST_SEPARATOR
from reports.closing import close_period
from tests.factories import make_action, make_indicator, make_targets, make_update

pytestmark = pytest.mark.django_db

CLOSED, NEXT = "2023-24-q1", "2023-24-q2"
DRAFT_WORDS = "Unreviewed draft: supplier dispute"


@pytest.fixture
def published_plan(officer, plan_admin):
    officer.first_name = "Olivia"
    officer.save()
    targets = make_targets(7)
    make_indicator("emissions", targets=targets[:2], values=[("2019/20", 100), ("2020/21", 90.5, True)])
    heat = make_action(7, text="Install heat pumps - survey schools - fit pumps", targets=[targets[0], targets[2]])
    heat.leads.add(officer)
    make_action(8, text="=HYPERLINK(1)", targets=[targets[1]], created_at=datetime(2023, 4, 1, tzinfo=UTC))
    make_update(heat, "2022-23-q4", rag="amber", commentary="-slipping, surveys late")
    make_update(heat, CLOSED, rag="green", commentary="Heat pumps installed")
    close_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin)
    make_update(heat, NEXT, rag="red", commentary=DRAFT_WORDS, recorded_by=officer)
    cache.clear()
    return heat


def typed(dataset, row: dict[str, str]) -> dict:
    """A CSV row read back into the JSON row's types, as a consumer following the download page would."""
    values = {}
    for column in dataset.columns:
        text = row[column.name]
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
            text = text[1:]
        kinds = column.schema["type"] if isinstance(column.schema["type"], list) else [column.schema["type"]]
        if text == "" and "null" in kinds:
            values[column.name] = None
        elif "array" in kinds:
            parts = text.split(LIST_SEPARATOR) if text else []
            values[column.name] = [int(p) for p in parts] if column.schema["items"]["type"] == "integer" else parts
        elif "integer" in kinds:
            values[column.name] = int(text)
        elif "number" in kinds:
            values[column.name] = float(text)
        elif "boolean" in kinds:
            values[column.name] = {"true": True, "false": False}[text]
        else:
            values[column.name] = text
    return values


@pytest.mark.parametrize("slug", list(DATASETS))
def test_each_download_validates_against_its_schema(client, published_plan, slug):
    dataset = DATASETS[slug]
    schema_response = client.get(f"/public/data/{slug}.schema.json")
    assert schema_response.status_code == 200
    schema = schema_response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

    as_json = client.get(f"/public/data/{slug}.json")
    assert as_json.status_code == 200 and as_json["Content-Type"].startswith("application/json")
    document = as_json.json()
    validator.validate(document)
    assert document["licence"]["name"] == "Open Government Licence v3.0"
    assert document["period"] == CLOSED and document["last_published"]
    assert document["schema"].endswith(f"/public/data/{slug}.schema.json")

    as_csv = client.get(f"/public/data/{slug}.csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in as_csv["Link"]
    reader = csv.DictReader(io.StringIO(as_csv.content.decode("utf-8")))
    assert reader.fieldnames == [column.name for column in dataset.columns]
    csv_rows = [typed(dataset, row) for row in reader]
    validator.validate({**document, "rows": csv_rows})
    assert len(csv_rows) == len(document["rows"])


def test_downloads_hold_the_published_plan_only(client, published_plan):
    actions = {row["action_number"]: row for row in client.get("/public/data/actions.json").json()["rows"]}
    assert (actions[7]["rag"], actions[7]["targets"], actions[7]["position_period"]) == ("green", [1, 3], CLOSED)
    history = client.get("/public/data/status-history.csv").content.decode()
    assert DRAFT_WORDS not in history
    assert "Heat pumps installed" in history
    assert "'-slipping, surveys late" in history  # neutralised in CSV
    assert '"-slipping, surveys late"' in client.get("/public/data/status-history.json").content.decode()
    assert "'=HYPERLINK(1)" in client.get("/public/data/actions.csv").content.decode()
    for slug in DATASETS:
        assert "Olivia" not in client.get(f"/public/data/{slug}.json").content.decode()
    values = client.get("/public/data/indicator-values.json").json()["rows"]
    assert [(v["indicator"], v["period"], v["value"], v["provisional"]) for v in values] == [
        ("emissions", "2019-20", 100.0, False),
        ("emissions", "2020-21", 90.5, True),
    ]
    targets = client.get("/public/data/targets.json").json()["rows"]
    assert (targets[0]["target_number"], targets[0]["actions"], targets[0]["green"]) == (1, 1, 1)


def test_the_open_data_page_lists_every_dataset_with_the_licence(client, published_plan):
    page = client.get("/public/data/")
    assert page.status_code == 200
    text = page.content.decode()
    for slug in DATASETS:
        for suffix in (".csv", ".json", ".schema.json"):
            assert f"/public/data/{slug}{suffix}" in text
    assert "Open Government Licence v3.0" in text and "Last published" in text
    assert "/api/v1/docs/" in text
    assert page["Cache-Control"].startswith("public") or "public" in page["Cache-Control"]


def test_before_anything_is_published_downloads_are_not_found_and_unknown_datasets_are_404(client, db):
    make_targets(7)
    assert client.get("/public/data/actions.csv").status_code == 404
    assert client.get("/public/data/").status_code == 200
    assert client.get("/public/data/nonsense.json").status_code == 404
    assert client.get("/public/data/nonsense.schema.json").status_code == 404


def test_downloads_are_cacheable_and_answer_304_when_unchanged(client, published_plan):
    first = client.get("/public/data/actions.json")
    assert "max-age" in first["Cache-Control"] and first["Last-Modified"] and first["ETag"]
    again = client.get("/public/data/actions.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("slug", list(DATASETS))
def test_downloads_run_a_fixed_number_of_queries_as_the_plan_grows(client, published_plan, plan_admin, slug):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.closing import reopen_period
    from targets.models import Target

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/public/data/{slug}.json").status_code == 200
        return len(captured)

    small = queries()
    reopen_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin, reason="More actions")
    for number in range(20, 50):
        make_action(number, targets=list(Target.objects.all()), created_at=datetime(2023, 4, 1, tzinfo=UTC))
    make_indicator("waste", targets=Target.objects.all(), values=[("2019/20", 5), ("2020/21", 4)])
    close_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin)
    assert queries() == small
