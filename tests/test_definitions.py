"""What committees ask of each action: responsible service, portfolio holder, partners, funding, milestones and
links. Shown, filtered, exported, reported, imported back (applied only when asked, undone), and its history."""

import csv
import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions import definitions
from actions.filters import ActionFilter
from actions.imports.apply import apply_import
from actions.imports.compare import preview_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.imports.undo import UndoRefused, undo_import
from actions.models import (
    Action,
    ActionFunding,
    ActionLink,
    ActionMilestone,
    DefinitionChange,
    FundingState,
    ImportBatch,
    Partner,
    PendingImport,
    PortfolioHolder,
    ReportingPeriod,
    Service,
)
from actions.spreadsheet import DETAIL_COLUMNS, EXPORT_HEADERS, Column
from targets.models import Target
from tests.factories import admin_form_data, make_action, make_synthetic_plan, make_targets, make_update

pytestmark = pytest.mark.django_db

PERIOD = "2023-24-q1"
TODAY = date(2024, 6, 1)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def csv_numbers(response) -> list[int]:
    assert response.status_code == 200, response.getvalue()[:500]
    return [int(row[0]) for row in list(csv.reader(io.StringIO(response.getvalue().decode())))[1:]]


@pytest.fixture
def plan():
    """Five actions under two directorates, with holders, partners, funding and milestones that differ."""
    targets = make_targets()
    place = Service.objects.create(name="Place and Economy")
    transport = Service.objects.create(name="Transport", parent=place)
    highways = Service.objects.create(name="Highways", parent=place)
    people = Service.objects.create(name="People and Communities")
    smith = PortfolioHolder.objects.create(name="Cllr Jane Smith", role="Lead Member for Environment")
    khan = PortfolioHolder.objects.create(name="Cllr Ali Khan", role="Lead Member for Transport")
    cpca, gcp = Partner.objects.create(name="CPCA"), Partner.objects.create(name="GCP")
    actions = {
        1: make_action(1, targets=targets[:1], service=transport, portfolio_holder=khan),
        2: make_action(2, targets=targets[:1], service=place, portfolio_holder=smith),
        3: make_action(3, targets=targets[:1], service=highways, portfolio_holder=khan),
        4: make_action(4, targets=targets[:1], service=people, portfolio_holder=smith),
        5: make_action(5, targets=targets[:1]),
    }
    for action in actions.values():
        make_update(action, "2022-23-q4")
    actions[1].partners.add(cpca, gcp)
    actions[3].partners.add(gcp)
    ActionFunding.objects.create(action=actions[1], amount=Decimal(120000), state=FundingState.SECURED)
    ActionFunding.objects.create(action=actions[2], amount=Decimal(50000), state=FundingState.BID_SUBMITTED)
    ActionFunding.objects.create(action=actions[3], state=FundingState.UNFUNDED)
    ActionFunding.objects.create(action=actions[3], amount=Decimal(5000), state=FundingState.SECURED)
    ActionMilestone.objects.create(action=actions[1], title="Consult", due=TODAY - timedelta(days=1))  # late
    ActionMilestone.objects.create(action=actions[2], title="Design", due=TODAY - timedelta(days=9), done=TODAY)
    ActionMilestone.objects.create(action=actions[4], title="Tender", due=TODAY + timedelta(days=30))
    ActionMilestone.objects.create(action=actions[4], title="Survey", due=TODAY - timedelta(days=30))  # late
    return {"place": place, "transport": transport, "people": people, "smith": smith, "khan": khan, "gcp": gcp}


def filtered(query: str) -> list[int]:
    from django.http import QueryDict

    filterset = ActionFilter(QueryDict(query), queryset=Action.objects.all(), today=TODAY)
    assert filterset.problems == []
    return sorted(filterset.qs.values_list("number", flat=True))


def test_each_filter_alone(plan):
    assert filtered(f"service={plan['place'].pk}") == [1, 2, 3]  # the directorate and its services
    assert filtered(f"service={plan['transport'].pk}") == [1]
    assert filtered(f"service={plan['transport'].pk}&service={plan['people'].pk}") == [1, 4]
    assert filtered(f"portfolio={plan['smith'].pk}") == [2, 4]
    assert filtered(f"partner={plan['gcp'].pk}") == [1, 3]
    assert filtered("funding=secured") == [1, 3]
    assert filtered("funding=bid_submitted") == [2]
    assert filtered("funding=unfunded") == [3]
    assert filtered("funding=none") == [4, 5]
    assert filtered("late_milestones=on") == [1, 4]


def test_filters_combine(plan):
    assert filtered(f"service={plan['place'].pk}&funding=secured") == [1, 3]
    assert filtered(f"service={plan['place'].pk}&funding=secured&late_milestones=on") == [1]
    assert filtered(f"portfolio={plan['khan'].pk}&partner={plan['gcp'].pk}&funding=unfunded") == [3]
    assert filtered(f"portfolio={plan['smith'].pk}&late_milestones=on&rag=green") == [4]


def test_filters_are_in_the_query_string_of_the_list_and_its_export(client, manager, plan):
    client.force_login(manager)
    query = f"?service={plan['place'].pk}&funding=secured"
    page = text_of(client.get(f"/actions/{query}"))
    assert "Responsible service (a directorate includes its services)" in page
    assert "Place and Economy › Transport" in page
    assert "Showing 1 to 2 of 2 actions" in page
    assert csv_numbers(client.get(f"/actions/export.csv{query}")) == [1, 3]


def test_a_bad_filter_value_is_named_and_left_out(client, manager, plan):
    client.force_login(manager)
    page = text_of(client.get("/actions/?service=999&funding=maybe&portfolio=1x"))
    assert "There is no service ‘999’" in page
    assert "‘maybe’ is not a funding state" in page
    assert "There is no portfolio holder ‘1x’" in page
    assert client.get("/actions/export.csv?partner=999").status_code == 400


def test_the_action_page_shows_the_definition_with_late_milestones_in_words(client, manager, plan):
    ActionLink.objects.create(
        action_id=Action.objects.get(number=4).pk, title="Cabinet, 12 March", url="https://example.org/c"
    )
    client.force_login(manager)
    page = text_of(client.get("/actions/4/"))
    assert "Responsible service People and Communities" in page
    assert "Portfolio holder Cllr Jane Smith (Lead Member for Environment)" in page
    assert "Funding None recorded" in page
    assert "Links Cabinet, 12 March" in page
    # Late is a word, not only a colour; today is after TODAY, so both dated milestones before it are late.
    assert "Late Survey: due" in page
    assert "Changes to this action's definition" not in page  # for plan admins only


def test_my_actions_lists_the_late_milestones_of_the_actions_the_officer_leads(client, officer, plan, monkeypatch):
    from actions.views import MyActionsView

    monkeypatch.setattr(MyActionsView, "today", TODAY)
    Action.objects.get(number=4).leads.add(officer)
    client.force_login(officer)
    page = text_of(client.get("/actions/mine/"))
    assert "Late milestones (1)" in page
    assert "Action 4 : Survey, due 2 May 2024 and not done" in page
    assert "Tender" not in page  # due after TODAY
    assert "Consult" not in page  # action 1's: not theirs


def test_the_quarterly_report_counts_by_service_and_funding_and_lists_late_milestones(client, manager, plan):
    from reports.quarterly import build_report

    ActionMilestone.objects.create(action=Action.objects.get(number=5), title="Old", due=date(2023, 1, 10))
    report = build_report(ReportingPeriod.objects.get(slug="2022-23-q4"))
    assert report.by_service == [
        ("People and Communities", 1),
        ("Place and Economy", 3),
        ("Place and Economy › Highways", 1),
        ("Place and Economy › Transport", 1),
        ("No responsible service", 1),
    ]
    assert report.by_funding == [
        ("Secured", 2),
        ("Bid submitted", 1),
        ("Unfunded", 1),
        ("State not given", 0),
        ("No funding recorded", 2),
    ]
    # Late as 2022/23 Q4 ended (31 March 2023): only the milestone due before then.
    assert [(m.action_number, m.title) for m in report.late_milestones] == [(5, "Old")]
    client.force_login(manager)
    page = text_of(client.get(reverse("reports:quarterly", args=["2022-23-q4"])))
    assert "Actions by responsible service" in page and "Place and Economy › Transport 1" in page
    assert "No funding recorded 2" in page
    assert "Late milestones: due before 31 March 2023 and not done by then" in page and "Old" in page
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:export", args=["2022-23-q4"])).content))
    summary = list(workbook.worksheets[0].values)
    assert ("Bid submitted", 1) in [tuple(row[:2]) for row in summary]


# --- cells ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("£10,000", [{"amount": "10000.00", "source": "", "state": "", "year": ""}]),
        (
            "£2.5m from Salix, bid submitted, 2024/25",
            [{"amount": "2500000.00", "source": "Salix", "state": "bid_submitted", "year": "2024/25"}],
        ),
        (
            "Capital programme - secured 2023-24",
            [{"amount": None, "source": "Capital programme", "state": "secured", "year": "2023/24"}],
        ),
        ("No funding", [{"amount": None, "source": "", "state": "unfunded", "year": ""}]),
    ],
)
def test_funding_cells_are_read_as_councils_write_them(cell, expected):
    assert definitions.parse_cell(Column.FUNDING, cell) == expected


def test_a_bad_cell_is_a_problem_naming_its_row_and_column(plan):
    header = ["No.", "Action", "RAG", "Milestones", "Funding"]
    from tests.factories import workbook_bytes

    data = workbook_bytes([header, [1, "Do a thing", "Green", "Consult (due 31/02/2024)", "£5k 2024/26"]])
    parsed = read_plan_file(data, "bad.xlsx", target_headings(Target.objects.all()))
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Plan', row 2, column E (Funding): '2024/26' is not a financial year; write it as 2024/25",
        "Sheet 'Plan', row 2, column D (Milestones): '31/02/2024' is not a date; write it as 31/03/2025",
    ]
    with pytest.raises(Exception, match="not a date"):
        apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD))
    assert ImportBatch.objects.count() == 0


# --- exports and the round trip ---------------------------------------------------------------------------


def rich_definition(number: int = 1) -> Action:
    action = Action.objects.get(number=number)
    ActionLink.objects.create(action=action, title="Cabinet decision, 12 March 2024", url="https://example.org/d/1")
    ActionFunding.objects.create(
        action=action,
        amount=Decimal("2500.50"),
        source="Salix",
        state=FundingState.BID_SUBMITTED,
        financial_year="2024/25",
    )
    ActionMilestone.objects.create(action=action, title="Award, phase 2", due=date(2025, 3, 31), done=date(2025, 2, 1))
    return action


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_carry_the_definition_columns_and_read_back_as_the_plan_has_them(client, manager, plan, extension):
    rich_definition(1)
    client.force_login(manager)
    content = client.get(f"/actions/export.{extension}").getvalue()
    if extension == "xlsx":
        rows = list(load_workbook(io.BytesIO(content)).active.values)[1:]
    else:
        rows = list(csv.reader(io.StringIO(content.decode())))
    header, first = list(rows[0]), list(rows[1])
    assert header[-len(DETAIL_COLUMNS) :] == [EXPORT_HEADERS[c] for c in DETAIL_COLUMNS]
    cells = dict(zip(header, first, strict=True))
    assert cells["Directorate"] == "Place and Economy" and cells["Service"] == "Transport"
    assert cells["Portfolio Holder"] == "Cllr Ali Khan (Lead Member for Transport)"
    assert cells["Partners"] == "CPCA; GCP"
    assert cells["Funding"].splitlines() == ["£120,000, secured", "£2,500.50 from Salix, bid submitted, 2024/25"]
    assert cells["Milestones"].splitlines() == [
        "Consult (due 31/05/2024)",
        "Award, phase 2 (due 31/03/2025, done 01/02/2025)",
    ]
    assert cells["Links"] == "Cabinet decision, 12 March 2024 – https://example.org/d/1"
    # Read back, every action's definition is what the plan has: no difference to apply.
    parsed = read_plan_file(content, f"export.{extension}", target_headings(Target.objects.all()))
    assert parsed.ok, [str(p) for p in parsed.problems]
    preview = preview_import(parsed, ReportingPeriod.objects.for_slug(PERIOD))
    assert preview.definition_differences == []
    assert parsed.rows[0].details[Column.FUNDING][1] == {
        "amount": "2500.50",
        "source": "Salix",
        "state": "bid_submitted",
        "year": "2024/25",
    }


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_name_every_lead_and_list_every_link_on_a_line_of_its_own(client, manager, plan, extension):
    """Leads by full name, or by user name when the account has none, sorted, on one line; a portfolio
    holder with no role by name alone; each link on a line of its own."""
    from tests.factories import make_user

    first = Action.objects.get(number=1)
    first.leads.add(
        make_user("zoe", first_name="Zoe", last_name="Adams"),
        make_user("officer-b"),
        make_user("amir", first_name="Amir", last_name="Patel"),
    )
    ActionLink.objects.create(action=first, title="Cabinet decision", url="https://example.org/d/1")
    ActionLink.objects.create(action=first, title="Business case", url="https://example.org/d/2")
    Action.objects.filter(number=5).update(portfolio_holder=PortfolioHolder.objects.create(name="Cllr New"))
    client.force_login(manager)
    response = client.get(f"/actions/export.{extension}")
    assert response.status_code == 200
    content = response.getvalue()
    if extension == "xlsx":
        rows = [
            ["" if v is None else v for v in row] for row in list(load_workbook(io.BytesIO(content)).active.values)[1:]
        ]
    else:
        rows = list(csv.reader(io.StringIO(content.decode())))
    header = list(rows[0])
    by_number = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_number[1]["Lead Officer"] == "Amir Patel; Zoe Adams; officer-b"
    assert by_number[2]["Lead Officer"] == ""
    assert by_number[1]["Links"].splitlines() == [  # in the definitions' order: by title
        "Business case – https://example.org/d/2",
        "Cabinet decision – https://example.org/d/1",
    ]
    assert by_number[5]["Portfolio Holder"] == "Cllr New"
    assert by_number[1]["Portfolio Holder"] == "Cllr Ali Khan (Lead Member for Transport)"


def test_the_whole_csv_at_once_is_the_streamed_csv(client, manager):
    """csv_text (the CSV in one piece, for callers that need it whole) joins the pieces the view streams."""
    from actions.exports import csv_text, plan_sheet, plan_targets

    grow_definitions(1200)
    client.force_login(manager)
    streamed = b"".join(client.get("/actions/export.csv").streaming_content).decode()
    assert len(streamed) > 2 * 64 * 1024  # several pieces
    assert csv_text(plan_sheet(Action.objects.order_by("number"), plan_targets())) == streamed


def edited_export(client, edit) -> bytes:
    workbook = load_workbook(io.BytesIO(client.get("/actions/export.xlsx").content))
    sheet = workbook.active
    header = {cell.value: cell.column for cell in sheet[2]}
    for row in sheet.iter_rows(min_row=3):
        edit(row[0].value, lambda heading, value, row=row: setattr(row[header[heading] - 1], "value", value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes):
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("q1.xlsx", data), "period": PERIOD},
    )
    assert response.status_code == 302, text_of(response)
    return PendingImport.objects.get(), text_of(client.get(response["Location"]))


def edit_service_and_milestone(number, set_cell):
    if number == 1:
        set_cell("Service", "Highways")
        set_cell("Milestones", "Consult (due 31/05/2024, done 20/05/2024)\nOpen the route (due 30/09/2025)")


def test_round_trip_export_edit_import_with_definition_changes_applied_then_undo(client, plan_admin, plan):
    client.force_login(plan_admin)
    pending, page = upload(client, edited_export(client, edit_service_and_milestone))
    assert "Definitions that differ from the plan" in page
    assert "Responsible service: Place and Economy › Transport → Place and Economy › Highways" in page
    assert (
        "Milestones: Consult (due 31/05/2024) → Consult (due 31/05/2024, done 20/05/2024); "
        "Open the route (due 30/09/2025)"
    ) in page
    assert "Apply definition changes" in page
    client.post(reverse("imports:confirm", args=[pending.pk]), {"apply_definitions": "on"})
    batch = ImportBatch.objects.get()
    assert batch.definitions_applied
    action = Action.objects.get(number=1)
    assert str(action.service) == "Place and Economy › Highways"
    assert [(m.title, m.due, m.done) for m in action.milestones.all()] == [
        ("Consult", date(2024, 5, 31), date(2024, 5, 20)),
        ("Open the route", date(2025, 9, 30), None),
    ]
    changes = list(DefinitionChange.objects.order_by("part"))
    assert [(c.action.number, c.part, c.changed_by, c.import_batch) for c in changes] == [
        (1, Column.MILESTONES, plan_admin, batch),
        (1, Column.SERVICE, plan_admin, batch),
    ]
    assert all(timezone.now() - c.changed_at < timedelta(minutes=1) for c in changes)
    assert Action.objects.get(number=2).milestones.count() == 1  # the others are as they were

    response = client.post(reverse("imports:undo", args=[batch.pk]))
    assert response.status_code == 302
    action = Action.objects.get(number=1)
    assert str(action.service) == "Place and Economy › Transport"
    assert [(m.title, m.due, m.done) for m in action.milestones.all()] == [("Consult", TODAY - timedelta(days=1), None)]
    assert DefinitionChange.objects.count() == 2  # kept: history is appended


def test_without_the_tick_definitions_stay_as_the_plan_has_them(client, plan_admin, plan):
    client.force_login(plan_admin)
    pending, _ = upload(client, edited_export(client, edit_service_and_milestone))
    client.post(reverse("imports:confirm", args=[pending.pk]))
    batch = ImportBatch.objects.get()
    assert not batch.definitions_applied and batch.updates_created == 5
    assert str(Action.objects.get(number=1).service) == "Place and Economy › Transport"
    assert Action.objects.get(number=1).milestones.get().done is None
    assert DefinitionChange.objects.count() == 0


def test_undo_refuses_to_overwrite_a_definition_changed_since(plan, plan_admin):
    data = edited_export_bytes(edit_service_and_milestone)
    parsed = read_plan_file(data, "q1.xlsx", target_headings(Target.objects.all()))
    _, batch = apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), user=plan_admin, apply_definitions=True)
    action = Action.objects.get(number=1)
    action.service = plan["people"]
    action.save()
    with pytest.raises(UndoRefused, match="The responsible service of action 1 has been changed since this import"):
        undo_import(batch, user=plan_admin)
    assert Action.objects.get(number=1).service == plan["people"]


def edited_export_bytes(edit) -> bytes:
    from django.test import Client

    from tests.factories import make_user

    client = Client()
    client.force_login(make_user("exporter", role="Manager"))
    return edited_export(client, edit)


def test_new_actions_get_the_files_definition_and_lead_names_without_accounts_are_said(plan, plan_admin):
    from tests.factories import make_user, workbook_bytes

    make_user("jsmith", first_name="Jo", last_name="Smith")
    header = ["No.", "Action", "RAG", "Directorate", "Service", "Lead Officer", "Partners", "Budget"]
    data = workbook_bytes(
        [
            header,
            [
                9,
                "A new action",
                "Green",
                "Place and Economy",
                "Waste",
                "Jo Smith",
                "CPCA, Histon Parish",
                "£1k secured",
            ],
            [2, "Do a thing", "Green", "Place and Economy", "", "J. Nobody", "", "£50,000, bid submitted"],
            [10, "A new action with its definition cells empty", "Green", "", "", "", "", ""],
        ]
    )
    services = Service.objects.count()
    parsed = read_plan_file(data, "q1.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, [str(p) for p in parsed.problems]
    preview = preview_import(parsed, ReportingPeriod.objects.for_slug(PERIOD))
    [differing] = preview.definition_differences
    assert differing.row.number == 2 and differing.unknown_leads == ["J. Nobody"]
    apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), user=plan_admin, apply_definitions=True)
    new = Action.objects.get(number=9)
    assert str(new.service) == "Place and Economy › Waste"
    assert [u.username for u in new.leads.all()] == ["jsmith"]
    assert sorted(new.partners.values_list("name", flat=True)) == ["CPCA", "Histon Parish"]
    assert [(f.amount, f.state) for f in new.funding.all()] == [(Decimal("1000.00"), "secured")]
    assert Action.objects.get(number=2).leads.count() == 0  # a name with no account changes nothing
    assert not DefinitionChange.objects.filter(part=Column.LEAD_OFFICER).exists()
    empty = Action.objects.get(number=10)
    assert (empty.service, empty.leads.count(), empty.partners.count(), empty.funding.count()) == (None, 0, 0, 0)
    assert Service.objects.count() == services + 1  # Waste, for action 9; none made for action 10


def test_a_lead_with_no_account_leaves_the_leads_and_the_rows_other_changes_still_apply(plan, plan_admin):
    """Per part, not per row: a name no account has keeps that action's leads as they are, a lead written by
    username where the plan shows the full name is no change, and every other part the file changes is
    applied, each change stamped with the import's time."""
    from tests.factories import make_user, workbook_bytes

    jsmith = make_user("jsmith", first_name="Jo", last_name="Smith")
    akhan = make_user("akhan", first_name="Ali", last_name="Khan")
    Action.objects.get(number=3).leads.add(jsmith)
    data = workbook_bytes(
        [
            ["No.", "Action", "RAG", "Lead Officer", "Partners"],
            [2, "Do a thing", "Green", "J. Nobody", "CPCA"],
            [3, "Do a thing", "Green", "jsmith", "CPCA"],
            [4, "Do a thing", "Green", "Ali Khan", ""],
            [5, "Do a thing", "Green", "A. Nother", ""],
        ]
    )
    parsed = read_plan_file(data, "q1.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, [str(p) for p in parsed.problems]
    preview = preview_import(parsed, ReportingPeriod.objects.for_slug(PERIOD))
    # Each row names only its own unknown leads ("No account is named ..." beside that action).
    assert [(o.row.number, o.unknown_leads) for o in preview.definition_differences if o.unknown_leads] == [
        (2, ["J. Nobody"]),
        (5, ["A. Nother"]),
    ]
    _, batch = apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), user=plan_admin, apply_definitions=True)

    def leads_and_partners(number):
        action = Action.objects.get(number=number)
        return [u.username for u in action.leads.all()], list(action.partners.values_list("name", flat=True))

    assert leads_and_partners(2) == ([], ["CPCA"])
    assert leads_and_partners(3) == (["jsmith"], ["CPCA"])
    assert leads_and_partners(4) == (["akhan"], [])
    changes = DefinitionChange.objects.order_by("action__number", "part")
    assert [(c.action.number, c.part, c.new) for c in changes] == [
        (2, Column.PARTNERS, ["CPCA"]),
        (3, Column.PARTNERS, ["CPCA"]),
        (4, Column.LEAD_OFFICER, [akhan.pk]),
    ]
    assert {c.changed_at for c in changes} == {batch.imported_at}


# --- history of definitions -------------------------------------------------------------------------------


def test_the_definition_history_shows_an_admin_edit_and_an_import_to_plan_admins(client, plan_admin, manager, plan):
    client.force_login(plan_admin)
    action = Action.objects.get(number=1)
    url = reverse("admin:actions_action_change", args=[action.pk])
    data = admin_form_data(client.get(url), service=str(plan["people"].pk), text="Do a better thing")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    data = edited_export_bytes(lambda number, set_cell: number == 1 and set_cell("Partners", "CPCA"))
    parsed = read_plan_file(data, "partners.xlsx", target_headings(Target.objects.all()))
    apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), user=plan_admin, apply_definitions=True)

    page = text_of(client.get("/actions/1/"))
    history = page[page.index("Changes to this action's definition") :]
    assert "planadmin (Import of partners.xlsx for 2023/24 Q1)" in history
    assert "Partners: CPCA; GCP → CPCA" in history
    assert "planadmin (Admin)" in history
    assert "Responsible service: Place and Economy › Transport → People and Communities" in history
    assert "Action text: Do a thing → Do a better thing" in history
    assert history.index("Partners:") < history.index("Responsible service:")  # newest first
    client.force_login(manager)
    assert "Changes to this action's definition" not in text_of(client.get("/actions/1/"))


def test_recording_a_status_adds_nothing_to_the_definition_history(plan):
    action = Action.objects.get(number=5)
    before = action.history.count()
    make_update(action, "2023-24-q1", rag="red", commentary="Stalled")
    assert action.history.count() == before


# --- query counts -----------------------------------------------------------------------------------------


def grow_definitions(size: int) -> None:
    """`size` actions, each with a service, a portfolio holder, two partners, funding, milestones and a link."""
    make_synthetic_plan(size, quarters=2)
    directorate = Service.objects.create(name="Place")
    service = Service.objects.create(name="Transport", parent=directorate)
    holder = PortfolioHolder.objects.create(name="Cllr A")
    partners = [Partner.objects.create(name=f"Partner {n}") for n in range(3)]
    actions = list(Action.objects.all())
    Action.objects.update(service=service, portfolio_holder=holder)
    Action.partners.through.objects.bulk_create(
        [Action.partners.through(action=a, partner=p) for a in actions for p in partners[:2]]
    )
    ActionFunding.objects.bulk_create([ActionFunding(action=a, amount=1000, state="secured") for a in actions])
    ActionMilestone.objects.bulk_create(
        [ActionMilestone(action=a, title=f"M{n}", due=date(2024, 1, n + 1)) for a in actions for n in range(2)]
    )
    ActionLink.objects.bulk_create([ActionLink(action=a, title="Paper", url="https://example.org/") for a in actions])


@pytest.mark.parametrize("size", [56, 500])
def test_the_list_with_the_new_filters_and_its_export_cost_the_same_queries_as_actions_grow(
    client, manager, django_assert_num_queries, size
):
    grow_definitions(size)
    client.force_login(manager)
    service, partner = Service.objects.get(name="Place").pk, Partner.objects.first().pk
    query = f"?service={service}&partner={partner}&funding=secured&funding=none&late_milestones=on"
    # session, user, two permission lookups, targets, services, portfolio holders, partners, periods,
    # RAG counts, the page's actions, their target links
    with django_assert_num_queries(12):
        assert client.get(f"/actions/{query}").status_code == 200
    # as the list, then the target columns, the actions (with their commentary), their target links, leads,
    # partners, funding, milestones and links (no RAG count)
    with django_assert_num_queries(17):
        assert len(csv_numbers(client.get(f"/actions/export.csv{query}"))) == size


@pytest.mark.parametrize("size", [56, 500])
def test_the_preview_of_a_file_with_definition_columns_costs_the_same_queries_as_actions_grow(
    client, manager, django_assert_num_queries, size
):
    grow_definitions(size)
    client.force_login(manager)
    data = client.get("/actions/export.xlsx").content
    parsed = read_plan_file(data, "all.xlsx", target_headings(Target.objects.all()))
    # actions' plain values, actions with service, directorate and portfolio holder joined, leads, partners,
    # funding, milestones, links, target links, each action's latest update, accounts (for lead names), a
    # previous import of the file
    with django_assert_num_queries(11):
        preview = preview_import(parsed, ReportingPeriod.objects.for_slug("2019-20-q2"))
    assert preview.definition_differences == []


@pytest.mark.parametrize("edits", [1, 6])
def test_the_action_page_with_its_definition_history_costs_the_same_queries_as_history_grows(
    client, plan_admin, plan, django_assert_num_queries, edits
):
    action = Action.objects.get(number=1)
    for n in range(edits):
        action.text = f"Wording {n}"
        action.save()
        action.partners.add(Partner.objects.create(name=f"P{n}"))
        ActionMilestone.objects.create(action=action, title=f"Step {n}")
    client.force_login(plan_admin)
    # the action page's 13, then the definition history: the action's history, its leads' and partners'
    # history, services, portfolio holders, accounts, partners, and the history of its funding,
    # milestones, links and targets
    with django_assert_num_queries(24):
        response = client.get("/actions/1/")
    assert text_of(response).count("Action text: ") == edits


def test_leads_and_partners_changed_from_the_other_side_are_in_each_actions_history(plan, officer):
    one, two = Action.objects.get(number=1), Action.objects.get(number=2)
    before = (one.history.count(), two.history.count())
    officer.led_actions.set([one, two])
    plan["gcp"].actions.remove(one)
    officer.led_actions.clear()
    assert (one.history.count(), two.history.count()) == (before[0] + 3, before[1] + 2)
    latest = one.history.order_by("-history_date", "-history_id").first()
    assert list(latest.leads.values_list("user_id", flat=True)) == []
    assert [e for e in one.history.all() if e.leads.filter(user=officer).exists()] != []


def test_a_heading_the_importer_does_not_know_can_be_mapped_to_a_definition_column(plan):
    from actions.imports.choices import ReadingChoices, column_role_choices
    from tests.factories import workbook_bytes

    assert ("funding", "Funding") in column_role_choices([1])  # the mapping step offers every new role
    data = workbook_bytes([["No.", "Action", "RAG", "Who pays"], [1, "Do a thing", "Green", "£3k from CPCA, secured"]])
    headings = target_headings(Target.objects.all())
    assert read_plan_file(data, "q1.xlsx", headings).rows[0].details == {}
    chosen = ReadingChoices.from_pairs(columns=[("Who pays", "funding")])
    [row] = read_plan_file(data, "q1.xlsx", headings, chosen).rows
    assert row.details == {"funding": [{"amount": "3000.00", "source": "CPCA", "state": "secured", "year": ""}]}


def reference_csv(sheet) -> str:
    """The CSV as the export wrote it before it streamed: PlanSheet.cells per row, each text cell neutralised."""
    from actions.spreadsheet import neutralise_formula

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers())
    for row in sheet.rows:
        number, *cells = sheet.cells(row)
        writer.writerow([number, *(neutralise_formula(cell) for cell in cells)])
    return buffer.getvalue()


def definitions_of_the_database(number: int) -> dict[str, str]:
    """What the definition columns should say, from model instances and definitions.cells_of."""
    from actions import definitions

    action = Action.objects.with_definition().get(number=number)
    return definitions.cells_of(definitions.values_of(action))


@pytest.mark.parametrize("ids_in_query", [2000, 0], ids=["by ids", "whole tables"])
def test_the_streamed_csv_is_the_csv_the_export_wrote_and_each_row_reads_the_database(
    plan, client, manager, monkeypatch, ids_in_query
):
    from actions.exports import plan_sheet, plan_targets

    monkeypatch.setattr("actions.bulk.IDS_IN_QUERY", ids_in_query)
    rich_definition(1)
    make_update(Action.objects.get(number=2), "2023-24-q1", rag="red", commentary="=SUM(A1) went wrong")
    sheet = plan_sheet(Action.objects.order_by("number"), plan_targets())
    # The writers' cells (read straight from the values) are PlanSheet.cells of the sheet's rows.
    assert [cells for _rag, cells in sheet.cell_rows()] == [sheet.cells(row) for row in sheet.rows]
    assert [rag for rag, _cells in sheet.cell_rows()] == [row.rag for row in sheet.rows]
    for row in sheet.rows:
        assert row.details == definitions_of_the_database(row.number)
    client.force_login(manager)
    response = client.get("/actions/export.csv")
    assert response.streaming
    assert response.getvalue().decode() == reference_csv(sheet)
    assert "'=SUM(A1) went wrong" in reference_csv(sheet)


def test_a_long_csv_is_sent_in_pieces(client, manager):
    grow_definitions(1200)
    client.force_login(manager)
    response = client.get("/actions/export.csv")
    pieces = list(response.streaming_content)
    assert len(pieces) > 2  # written as it is sent, not built whole first
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert [int(row[0]) for row in rows[1:]] == list(range(1, 1201))


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_cost_the_same_queries_past_the_whole_table_threshold(
    client, manager, django_assert_num_queries, monkeypatch, extension
):
    """Past IDS_IN_QUERY actions the parts are read for the whole plan: still one query a part."""
    monkeypatch.setattr("actions.bulk.IDS_IN_QUERY", 100)
    grow_definitions(300)
    client.force_login(manager)
    # the workbook counts its rows first, to decide whether this request writes it or the background worker does
    with django_assert_num_queries(17 if extension == "csv" else 18):
        response = client.get(f"/actions/export.{extension}")
    assert response.status_code == 200
    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        assert len(rows) == 300
        funding = [cell.value for cell in sheet[2]].index("Funding")
        assert rows[0][funding] == "£1,000, secured"


def test_an_export_keeps_each_actions_partners_whatever_its_number(client, manager):
    """Actions numbered as the council numbers them (not 1, 2, 3 in the order they were added) keep their own
    partners and leads in the export."""
    from tests.factories import make_user

    make_targets()
    lead = make_user("lead", first_name="Lee", last_name="Dawson")
    for number, partner in [(40, "CPCA"), (7, "GCP"), (19, "Environment Agency")]:
        action = make_action(number)
        action.partners.add(Partner.objects.create(name=partner))
        action.leads.add(lead)
    client.force_login(manager)
    rows = list(csv.reader(io.StringIO(client.get("/actions/export.csv").getvalue().decode())))
    by_number = {int(row[0]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert {n: row["Partners"] for n, row in by_number.items()} == {7: "GCP", 19: "Environment Agency", 40: "CPCA"}
    assert {row["Lead Officer"] for row in by_number.values()} == {"Lee Dawson"}


def test_a_new_action_from_a_file_with_a_service_or_directorate_column_alone_gets_what_it_gives(plan):
    from tests.factories import workbook_bytes

    data = workbook_bytes([["No.", "Action", "RAG", "Service"], [11, "A new action", "Green", "Libraries"]])
    parsed = read_plan_file(data, "q1.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, [str(p) for p in parsed.problems]
    apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), apply_definitions=True)
    service = Action.objects.get(number=11).service
    assert (str(service), service.parent) == ("Libraries", None)

    # A Directorate column alone: a new action gets the directorate, or nothing when its cell is empty.
    data = workbook_bytes(
        [
            ["No.", "Action", "RAG", "Directorate"],
            [12, "Another", "Green", "People and Communities"],
            [13, "More", "Green", ""],
        ]
    )
    parsed = read_plan_file(data, "q1.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, [str(p) for p in parsed.problems]
    apply_import(parsed, ReportingPeriod.objects.for_slug(PERIOD), apply_definitions=True)
    assert Action.objects.get(number=12).service == plan["people"]
    assert Action.objects.get(number=13).service is None
