"""Importing indicator values: reading the emissions-table layout, its problems, and the journey
upload -> preview -> confirm -> undo in the browser's requests."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.imports.apply import UndoRefused, apply_values, undo_values
from indicators.imports.reading import read_values_file
from indicators.models import IndicatorImport, IndicatorValue, ValueSource
from indicators.services import record_value
from tests.factories import make_indicator, make_targets, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(db):
    make_targets()
    council = make_indicator("council-emissions", name="Council emissions", values=[("2019/20", "100")])
    county = make_indicator("county-emissions", name="County emissions", frequency="calendar_year", unit="ktCO2e")
    return council, county


def table(*rows, header=("Indicator", "Unit", "2019/20", "2020/21", "2021/22")):
    return workbook_bytes([list(header), *map(list, rows)], title="Emissions", banner=[["Council emissions table"]])


def test_reads_one_row_per_indicator_and_one_column_per_period(indicators):
    data = table(["Council emissions", "tCO2e", 100, "95.5", "90 p"], ["council-emissions-x", None, None, None, None])
    parsed = read_values_file(data, "values.xlsx")
    assert [str(p) for p in parsed.problems] == [
        "sheet 'Emissions', row 4, column A: 'council-emissions-x' is not an indicator's name or slug."
    ]
    data = table(["Council emissions", "tCO2e", 100, "95.5", "90 p"], ["", "", "", "", ""])
    parsed = read_values_file(data, "values.xlsx")
    assert parsed.ok
    assert [(c.indicator.slug, c.period, c.value, c.provisional) for c in parsed.cells] == [
        ("council-emissions", "2019-20", Decimal("100"), False),
        ("council-emissions", "2020-21", Decimal("95.5"), False),
        ("council-emissions", "2021-22", Decimal("90"), True),
    ]


@pytest.mark.parametrize(
    ("rows", "header", "problem"),
    [
        (
            [["Council emissions", "tCO2e", "lots", None, None]],
            None,
            "row 3, column C (2019/20): Council emissions: 'lots' is not a number.",
        ),
        (
            [["Council emissions", "kg", 1, None, None]],
            None,
            "row 3, column B: Council emissions: the unit is 'kg', but the indicator is measured in tCO2e.",
        ),
        (
            [["Council emissions", "tCO2e", "=A1*2", None, None]],
            None,
            "row 3, column C (2019/20): Council emissions: a formula, not a value.",
        ),
        (
            [["County emissions", "ktCO2e", 1, None, None]],
            None,
            "County emissions is measured by calendar year: '2019/20' is not a calendar year such as 2022.",
        ),
        (
            [["Council emissions", "tCO2e", 1, None, None], ["council-emissions", "tCO2e", 2, None, None]],
            None,
            "row 4, column A: Council emissions is also on row 3.",
        ),
        (
            [["Council emissions", 1, 2]],
            ("Indicator", "2019/20", "2019-20"),
            "Council emissions: 2019/20 is also in column B (2019/20).",
        ),
    ],
)
def test_each_problem_names_sheet_row_and_column_and_nothing_is_written(indicators, rows, header, problem):
    data = table(*rows, **({"header": header} if header else {}))
    parsed = read_values_file(data, "values.xlsx")
    assert any(problem in str(p) for p in parsed.problems), [str(p) for p in parsed.problems]
    assert all(str(p).startswith("sheet 'Emissions', row ") for p in parsed.problems)
    with pytest.raises(Exception, match=re.escape(problem.split(": ", 1)[-1][:30])):
        apply_values(parsed)
    assert IndicatorValue.objects.count() == 1


def test_a_file_without_the_layout_or_not_a_workbook_is_refused(indicators):
    assert "No sheet has a header row with an 'Indicator' column" in str(
        read_values_file(workbook_bytes([["Name of thing"], ["x"]]), "x.xlsx").problems[0]
    )
    assert "is not an Excel workbook (.xlsx) or a CSV file" in str(read_values_file(b"hello", "x.xlsx").problems[0])


def test_csv_in_the_same_layout(indicators):
    parsed = read_values_file(b'Indicator,2019,2020\r\ncounty-emissions,"4,900",-\r\n', "county.csv")
    assert [(c.period, c.value) for c in parsed.cells] == [("2019", Decimal("4900"))]


def test_apply_supersedes_and_undo_restores(indicators, plan_admin):
    council, _ = indicators
    parsed = read_values_file(table(["Council emissions", "tCO2e", 99, 95, None]), "values.xlsx")
    preview, batch = apply_values(parsed, user=plan_admin)
    assert (len(preview.new), len(preview.corrections), len(preview.unchanged)) == (1, 1, 0)
    assert batch.values_created == 2
    standing = dict(council.values.standing().values_list("period", "value"))
    assert standing == {"2019-20": Decimal("99"), "2020-21": Decimal("95")}
    assert council.values.count() == 3
    assert set(council.values.filter(import_batch=batch).values_list("source", flat=True)) == {ValueSource.IMPORT}
    # The same file again changes nothing.
    again, none = apply_values(read_values_file(table(["Council emissions", "tCO2e", 99, 95, None]), "values.xlsx"))
    assert none is None and len(again.unchanged) == 2
    undo_values(batch, user=plan_admin)
    assert dict(council.values.standing().values_list("period", "value")) == {"2019-20": Decimal("100")}
    assert IndicatorImport.objects.get().undone_by == plan_admin


def test_undo_is_refused_once_a_value_was_recorded_after(indicators, plan_admin):
    council, _ = indicators
    _, batch = apply_values(read_values_file(table(["Council emissions", "tCO2e", None, 95, None]), "v.xlsx"))
    record_value(indicator=council, period="2021-22", value=Decimal("90"), provisional=False, source="web")
    with pytest.raises(
        UndoRefused,
        match="Values were recorded after this import for indicators it changed: Council emissions for 2021/22",
    ):
        undo_values(batch, user=plan_admin)
    assert council.values.count() == 3


def test_the_journey_upload_preview_confirm_undo(client, plan_admin, indicators):
    council, _ = indicators
    client.force_login(plan_admin)
    upload = SimpleUploadedFile("emissions.xlsx", table(["Council emissions", "tCO2e", 98, "96 p", None]))
    response = client.post("/indicators/imports/upload/", {"file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = client.get(preview_url)
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.content.decode()))
    assert preview.status_code == 200
    assert "Check the values" in html
    assert "New values 1" in html and "Corrections 1" in html and "Already recorded 0" in html
    assert "Council emissions 2019/20 100 98" in html
    assert "Council emissions 2020/21 None 96 (provisional)" in html
    assert council.values.count() == 1  # nothing written before confirm
    confirmed = client.post(preview_url + "confirm/", follow=True)
    assert "Imported emissions.xlsx: 2 values." in confirmed.content.decode()
    assert council.values.count() == 3
    batch = IndicatorImport.objects.get()
    assert client.get(f"/indicators/imports/{batch.pk}/undo/").status_code == 200
    undone = client.post(f"/indicators/imports/{batch.pk}/undo/", follow=True)
    assert "Undone: the import of emissions.xlsx." in undone.content.decode()
    assert council.values.count() == 1
    assert client.get(preview_url).status_code == 404  # the held upload is gone


def test_a_file_with_problems_previews_them_and_confirm_writes_nothing(client, plan_admin, indicators):
    client.force_login(plan_admin)
    upload = SimpleUploadedFile("bad.xlsx", table(["Council emissions", "tCO2e", "lots", None, None]))
    preview_url = client.post("/indicators/imports/upload/", {"file": upload})["Location"]
    html = client.get(preview_url).content.decode()
    assert "bad.xlsx cannot be imported" in html and "&#x27;lots&#x27; is not a number." in html
    response = client.post(preview_url + "confirm/", follow=True)
    assert "bad.xlsx has problems, so nothing was imported." in response.content.decode()
    assert IndicatorValue.objects.count() == 1


def test_someone_elses_upload_is_not_found(client, plan_admin, indicators, django_user_model):
    from actions import roles
    from tests.factories import make_user

    client.force_login(plan_admin)
    upload = SimpleUploadedFile("v.xlsx", table(["Council emissions", "tCO2e", 98, None, None]))
    preview_url = client.post("/indicators/imports/upload/", {"file": upload})["Location"]
    client.force_login(make_user("admin2", role=roles.PLAN_ADMIN, is_staff=True))
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url + "confirm/").status_code == 404
