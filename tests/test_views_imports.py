"""The plan admin's import journey in the browser: upload, preview, confirm or cancel, history, undo."""

import html
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions import roles
from actions.imports.reading import MAX_FILE_BYTES
from actions.models import Action, ImportBatch, PendingImport, StatusSource, StatusUpdate
from tests.factories import HEADER, exported_plan_bytes, make_update, make_user, plan_row, workbook_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = "2023-24-q1"


def upload(client, data: bytes, name="q1.xlsx", period=PERIOD):
    return client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile(name, data, content_type=XLSX), "period": period}
    )


def snapshot():
    return (
        list(Action.objects.order_by("number").values_list("number", "current_rag", "current_update_id")),
        StatusUpdate.objects.count(),
        list(ImportBatch.objects.values_list("pk", "undone_at")),
    )


def text_of(response) -> str:
    """The page's visible text, tags stripped and spaces collapsed, as a reader would take it in."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def html_of(response) -> str:
    """The page's markup with runs of whitespace collapsed."""
    return " ".join(response.content.decode().split())


def q1_edit(row):
    """A plausible quarter's edits: action 1 goes red, 56 is dropped, everything else stands."""
    if row.number == 1:
        row.rag, row.delivery_status, row.commentary = "red", "not_started", "Funding withdrawn."
    if row.number == 56:
        return None
    return row


def q1_file(seeded_plan):
    """The export of the seeded plan with `q1_edit` applied and a new action 57 appended."""
    workbook = load_workbook(io.BytesIO(exported_plan_bytes(q1_edit)))
    marks = [None, "✓", None, None, None, None, None]
    workbook.active.append(
        [57, *marks, "Install heat pumps in libraries", "In progress", "Amber", "Survey done.", "2026"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- who may reach it -------------------------------------------------------------------------------------------

URLS = [
    ("imports:history", {}),
    ("imports:upload", {}),
    ("imports:preview", {"pk": "2b1a6f0e-5d2c-4f7a-9a43-0a8e5a1b2c3d"}),
    ("imports:undo", {"pk": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), URLS)
@pytest.mark.parametrize("role", [roles.OFFICER, roles.MANAGER, None])
def test_only_plan_admins_reach_the_imports(client, name, kwargs, role):
    client.force_login(make_user("someone", role=role, is_staff=True))
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("name", ["imports:confirm", "imports:cancel"])
def test_managers_cannot_confirm_or_cancel(client, seeded_plan, plan_admin, manager, name):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    pending = PendingImport.objects.get()
    before = snapshot()
    client.force_login(manager)
    response = client.post(reverse(name, kwargs={"pk": pending.pk}))
    assert response.status_code == 403
    assert snapshot() == before
    assert PendingImport.objects.filter(pk=pending.pk).exists(), "the plan admin's upload is still waiting"


def test_plan_admins_see_imports_in_the_navigation_and_others_do_not(client, plan_admin, manager):
    client.force_login(plan_admin)
    response = client.get(reverse("imports:history"))
    assert response.status_code == 200
    assert 'href="/imports/"' in response.content.decode()
    client.force_login(manager)
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/actions/", 302)]
    assert response.status_code == 200
    assert 'href="/actions/"' in response.content.decode()
    assert 'href="/imports/"' not in response.content.decode()


# --- the journey ------------------------------------------------------------------------------------------------


def test_upload_form_defaults_to_the_current_period(client, plan_admin):
    client.force_login(plan_admin)
    response = client.get(reverse("imports:upload"))
    html = response.content.decode()
    assert html.count("<h1") == 1
    from actions.models import ReportingPeriod

    current = ReportingPeriod.objects.current()
    assert f'<option value="{current.slug}" selected>{current.label}</option>' in html
    # A quarter that has not started is not offered: its position would jump ahead of this quarter's updates.
    assert current.as_quarter.next().slug not in html
    assert '<label class="govuk-label" for="id_file">Spreadsheet</label>' in html


def test_full_journey_upload_preview_confirm_history_undo(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    action_1 = Action.objects.get(number=1)
    before_1 = (action_1.current_rag, action_1.current_update_id)
    before = snapshot()

    response = upload(client, q1_file(seeded_plan))
    pending = PendingImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", kwargs={"pk": pending.pk})
    assert pending.user == plan_admin

    preview = client.get(response["Location"])
    markup = html_of(preview)
    page = text_of(preview)
    assert preview.status_code == 200
    assert markup.count("<h1") == 1
    assert "q1.xlsx, for 2023/24 Q1" in page
    assert "Changed 1 " in page
    assert "New actions 1 " in page
    assert "Confirmed unchanged 54 " in page
    assert "Missing from the file 1 " in page
    # Before → after, with RAG as colour and word.
    assert (
        f'<strong class="govuk-tag app-rag--{before_1[0]}">{before_1[0].title()}</strong> → '
        '<strong class="govuk-tag app-rag--red">Red</strong>'
    ) in markup
    assert "→ Not started" in page
    assert "After: Funding withdrawn." in page
    assert "57 New Amber In progress Install heat pumps in libraries" in page
    assert "These actions of the plan are not in the file. They are kept, not deleted: 56." in page
    assert "Confirm import" in page
    assert snapshot() == before, "the preview must write nothing"

    response = client.post(reverse("imports:confirm", kwargs={"pk": pending.pk}))
    assert response["Location"] == reverse("imports:history")
    batch = ImportBatch.objects.get(file_name="q1.xlsx")
    assert (batch.imported_by, batch.period_id, batch.updates_created, batch.actions_created) == (
        plan_admin,
        PERIOD,
        56,
        1,
    )
    assert not PendingImport.objects.exists()
    action_1.refresh_from_db()
    assert (action_1.current_rag, action_1.current_period_id) == ("red", PERIOD)
    assert Action.objects.get(number=57).current_rag == "amber"

    history = client.get(response["Location"])
    page = text_of(history)
    assert (
        "Imported q1.xlsx for 2023/24 Q1: new actions 1, changed 1, confirmed unchanged 54, already recorded 0, "
        "missing from the file 1, rows skipped 0, warnings 0." in page
    )
    assert "planadmin q1.xlsx 2023/24 Q1 1 1 54 0 1 0 0 Undo" in page
    assert "Command line cces-action-plan-2022-23-q4.xlsx 2022/23 Q4 56 0 0 0 0 0 0 Applied" in page

    undo_url = reverse("imports:undo", kwargs={"pk": batch.pk})
    assert "Undo this import?" in text_of(client.get(undo_url))
    response = client.post(undo_url)
    assert response["Location"] == reverse("imports:history")
    assert snapshot()[:2] == before[:2]
    action_1.refresh_from_db()
    assert (action_1.current_rag, action_1.current_update_id) == before_1
    assert not Action.objects.filter(number=57).exists()
    batch.refresh_from_db()
    assert (batch.undone_by, batch.undone_at is not None) == (plan_admin, True)
    page = text_of(client.get(reverse("imports:history")))
    assert "Undone: the import of q1.xlsx for 2023/24 Q1." in page
    assert "q1.xlsx 2023/24 Q1 1 1 54 0 1 0 0 Undone" in page


def test_cancel_writes_nothing_and_forgets_the_upload(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    before = snapshot()
    upload(client, q1_file(seeded_plan))
    pending = PendingImport.objects.get()
    response = client.post(reverse("imports:cancel", kwargs={"pk": pending.pk}), follow=True)
    assert "Import of q1.xlsx cancelled. Nothing was changed." in text_of(response)
    assert not PendingImport.objects.exists()
    assert snapshot() == before
    assert client.post(reverse("imports:confirm", kwargs={"pk": pending.pk})).status_code == 404
    assert snapshot() == before


def test_a_file_already_imported_for_the_period_says_so(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    data = q1_file(seeded_plan)
    upload(client, data)
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    before = snapshot()

    response = upload(client, data, name="q1 again.xlsx")
    reset_queries()  # the log keeps only the last 9,000 queries, and the import before ran more
    with CaptureQueriesContext(connection) as again:
        preview = client.get(response["Location"])
        assert preview.status_code == 200
    queries_again = len(again)  # read now: the capture is a slice of the log, which is reset below
    page = text_of(preview)
    assert "This file was already imported for 2023/24 Q1 on" in page
    assert "by planadmin" in page
    assert "Nothing to change: every action in this file is already recorded for 2023/24 Q1 as it is." in page
    assert "Confirm import" not in page
    response = client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}), follow=True)
    assert "Nothing to change: q1 again.xlsx is already recorded for 2023/24 Q1." in text_of(response)
    assert snapshot() == before

    # The same file for another period is a different import.
    response = upload(client, data, period="2023-24-q2")
    reset_queries()
    with CaptureQueriesContext(connection) as elsewhere:
        preview = client.get(response["Location"])
        assert preview.status_code == 200
    assert "q1.xlsx, for 2023/24 Q2" in text_of(preview)
    assert "already imported" not in text_of(preview)
    # Saying who imported it earlier costs no query of its own.
    assert queries_again == len(elsewhere)

    # Another file for the same period is a different import too, though its rows are the same.
    workbook = load_workbook(io.BytesIO(data))
    workbook.active.title = "Plan as resaved"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, buffer.getvalue(), name="q1 resaved.xlsx")
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "Nothing to change: every action in this file is already recorded for 2023/24 Q1 as it is." in text_of(
        preview
    )
    assert "already imported" not in text_of(preview)


def test_a_file_with_problems_lists_them_and_cannot_be_confirmed(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    before = snapshot()
    response = upload(client, workbook_bytes([HEADER, plan_row(1, rag="Red"), plan_row(2, rag="Purple")]))
    preview = client.get(response["Location"])
    page = text_of(preview)
    assert "<title>Error: Check the import" in preview.content.decode()
    assert "q1.xlsx cannot be imported" in page
    assert "Plan 3 K (RAG) 'Purple' is not a RAG colour" in page
    assert "Confirm import" not in page
    response = client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}), follow=True)
    assert "q1.xlsx has problems, so nothing was imported." in text_of(response)
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_a_form_error(client, plan_admin):
    client.force_login(plan_admin)
    response = upload(client, b"x" * (MAX_FILE_BYTES + 1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Import a spreadsheet" in html
    assert "The file is 10.0 MB; the limit is 10 MB." in html
    assert 'class="govuk-error-summary"' in html
    assert not PendingImport.objects.exists()


def test_an_empty_form_shows_errors_for_each_field(client, plan_admin):
    client.force_login(plan_admin)
    response = client.post(reverse("imports:upload"), {"period": "1999-00-q1"})
    html = response.content.decode()
    assert '<a href="#id_file">' in html
    assert '<a href="#id_period">' in html


def test_an_upload_belongs_to_the_admin_who_made_it(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    pending = PendingImport.objects.get()
    other = make_user("otheradmin", role=roles.PLAN_ADMIN)
    client.force_login(other)
    assert client.get(reverse("imports:preview", kwargs={"pk": pending.pk})).status_code == 404
    assert client.post(reverse("imports:confirm", kwargs={"pk": pending.pk})).status_code == 404
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_an_expired_upload_is_not_applied(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    pending = PendingImport.objects.get()
    PendingImport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    before = snapshot()
    response = client.post(reverse("imports:confirm", kwargs={"pk": pending.pk}), follow=True)
    assert "That upload has expired, so nothing was imported." in text_of(response)
    assert snapshot() == before
    assert not PendingImport.objects.exists()


def test_undo_is_refused_when_a_status_was_recorded_since(client, seeded_plan, plan_admin, officer):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    batch = ImportBatch.objects.get(file_name="q1.xlsx")
    make_update(Action.objects.get(number=3), PERIOD, rag="red", recorded_by=officer, source=StatusSource.WEB)
    before = snapshot()

    undo_url = reverse("imports:undo", kwargs={"pk": batch.pk})
    page = text_of(client.get(undo_url))
    assert "This import cannot be undone. Statuses were recorded after this import for actions it changed: " in page
    assert "action 3 for 2023/24 Q1 on" in page
    assert "by officer" in page
    assert "Undo import" not in page
    page = text_of(client.post(undo_url, follow=True))
    assert "q1.xlsx was not undone." in page
    assert snapshot() == before


def test_history_offers_undo_only_where_it_would_succeed_and_says_why_not(client, seeded_plan, plan_admin, officer):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    response = client.get(reverse("imports:history"))
    assert response.status_code == 200
    assert "Undo the import of q1.xlsx" in text_of(response)

    make_update(Action.objects.get(number=3), PERIOD, rag="red", recorded_by=officer, source=StatusSource.WEB)
    response = client.get(reverse("imports:history"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Undo the import of" not in page
    assert f'href="{reverse("imports:undo", kwargs={"pk": ImportBatch.objects.get(file_name="q1.xlsx").pk})}"' not in (
        response.content.decode()
    )
    assert (
        "Applied. Cannot be undone: Statuses were recorded after this import for actions it changed: "
        "action 3 for 2023/24 Q1 on"
    ) in page


def test_only_the_latest_import_can_be_undone(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    seed_batch = ImportBatch.objects.get()
    upload(client, workbook_bytes([HEADER, plan_row(60)]), name="sixty.xlsx")
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    before = snapshot()
    page = text_of(client.post(reverse("imports:undo", kwargs={"pk": seed_batch.pk}), follow=True))
    assert "Only the latest import can be undone. sixty.xlsx was imported for 2023/24 Q1 after it" in page
    assert snapshot() == before
    history = text_of(client.get(reverse("imports:history")))
    assert history.count("Undo the import of") == 1
    assert "Undo the import of sixty.xlsx" in history


def test_history_runs_a_fixed_number_of_queries(client, seeded_plan, plan_admin, django_assert_num_queries):
    client.force_login(plan_admin)
    # 7 for the page, 6 for asking undo whether the latest import could be undone (undo_blocker), however many.
    with django_assert_num_queries(13):
        assert client.get(reverse("imports:history")).status_code == 200
    # Five more imports, each by a different plan admin, and one of them undone.
    for number in range(60, 65):
        client.force_login(make_user(f"admin{number}", role=roles.PLAN_ADMIN, is_staff=True))
        upload(client, workbook_bytes([HEADER, plan_row(number)]), name=f"{number}.xlsx")
        client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    client.post(reverse("imports:undo", kwargs={"pk": ImportBatch.objects.get(file_name="64.xlsx").pk}))
    client.force_login(plan_admin)
    with django_assert_num_queries(13):
        response = client.get(reverse("imports:history"))
        assert response.status_code == 200
    page = text_of(response)
    for number in range(60, 64):
        assert f"admin{number} {number}.xlsx 2023/24 Q1" in page
    # The undone import is still listed, with its counts, and marked undone (not offered again).
    undone_row = page.split("admin64 64.xlsx 2023/24 Q1", 1)[1].split("admin6", 1)[0]
    assert "Undone" in undone_row
    assert "Undo the import of 64.xlsx" not in page
    assert "Undo the import of 63.xlsx" in page


def test_a_csv_file_imports_through_the_browser_too(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    csv_data = "No.,Target 1,Action,RAG,Commentary\n1,✓,Whatever the plan says,R,Stopped\n"
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("q1.csv", csv_data.encode(), content_type="text/csv"), "period": PERIOD},
    )
    page = text_of(client.get(response["Location"]))
    assert "Changed 1 " in page
    assert "Missing from the file 55" in page
    assert "Action 1: Action text:" in page and "→ Whatever the plan says Targets:" in page
    assert "No column was found for: Target date , Delivery status ." in page
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    action = Action.objects.get(number=1)
    assert (action.current_rag, action.current_update.commentary) == ("red", "Stopped")
    assert action.text != "Whatever the plan says", (
        "without 'apply definition changes' an import keeps the plan's wording"
    )


def test_undo_is_refused_when_an_action_was_merged_into_one_the_import_created(client, seeded_plan, plan_admin):
    """Undo would delete action 57, which the import created; action 3, merged into it since, still points at it.
    The admin sees why, not an error page, and nothing changes."""
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    batch = ImportBatch.objects.get(file_name="q1.xlsx")
    Action.objects.filter(number=3).update(merged_into=Action.objects.get(number=57))  # as the admin's merge does
    before = snapshot()

    undo_url = reverse("imports:undo", kwargs={"pk": batch.pk})
    response = client.get(undo_url)
    assert response.status_code == 200
    page = text_of(response)
    assert "This import cannot be undone. Action 3 has been merged into action 57, which this import created." in page
    assert "Undo import" not in page
    response = client.post(undo_url, follow=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "q1.xlsx was not undone. Action 3 has been merged into action 57, which this import created." in page
    assert snapshot() == before
    assert Action.objects.get(number=3).merged_into.number == 57


@pytest.mark.parametrize("blockers", [1, 4])
def test_the_undo_page_costs_the_same_queries_however_many_block_it(
    client, seeded_plan, plan_admin, django_assert_num_queries, blockers
):
    client.force_login(plan_admin)
    upload(client, q1_file(seeded_plan))
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    batch = ImportBatch.objects.get(file_name="q1.xlsx")
    for number in range(1, blockers + 1):
        person = make_user(f"officer{number}", role=roles.OFFICER)
        make_update(Action.objects.get(number=number), PERIOD, rag="red", recorded_by=person)
    # session, user, two permission lookups, the batch, the later-import check, its updates' last id, and the
    # blockers with their actions, periods and people in one query, and whether the period is closed
    with django_assert_num_queries(9):
        response = client.get(reverse("imports:undo", kwargs={"pk": batch.pk}))
        assert response.status_code == 200
    page = text_of(response)
    for number in range(1, blockers + 1):
        assert f"action {number} for 2023/24 Q1 on" in page and f"by officer{number}" in page


def test_the_preview_names_the_sheet_read_and_shows_each_changed_rows_warning_beside_it(
    client, seeded_plan, plan_admin
):
    from openpyxl.styles import PatternFill

    workbook = load_workbook(io.BytesIO(q1_file(seeded_plan)))
    sheet = workbook.active
    sheet.title = "Q1 return"
    rag_column = 1 + 7 + 3  # number, seven targets, action, delivery status, then RAG
    (action_1,) = [row for row in sheet.iter_rows(min_row=3) if row[0].value == 1]
    action_1[rag_column - 1].fill = PatternFill("solid", fgColor="FF00B050")  # "Red", filled green
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(plan_admin)

    preview = client.get(upload(client, buffer.getvalue())["Location"])
    assert preview.status_code == 200
    text = text_of(preview)
    assert "From sheet ‘Q1 return’." in text
    warning = "the word says Red but the cell is filled Green; Red (the word) is used"
    row_of_action_1 = re.search(r'<th scope="row"[^>]*><a [^>]*>1</a>(.*?)</th>', preview.content.decode()).group(1)
    shown = rf'<span class="govuk-body-s"> Warning: column [^<]*RAG[^<]*: {re.escape(warning)}</span>'
    assert re.fullmatch(shown, row_of_action_1)


def test_a_target_date_changed_in_the_file_is_shown_then_applied_when_asked(client, seeded_plan, plan_admin):
    before = Action.objects.get(number=2).target_date_text
    workbook = load_workbook(io.BytesIO(q1_file(seeded_plan)))
    sheet = workbook.active
    (action_2,) = [row for row in sheet.iter_rows(min_row=3) if row[0].value == 2]
    action_2[1 + 7 + 4].value = "March 2031"  # number, seven targets, action, status, RAG, commentary
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(plan_admin)

    location = upload(client, buffer.getvalue())["Location"]
    preview = client.get(location)
    assert preview.status_code == 200
    assert f"Action 2: Target date: {before} → March 2031" in text_of(preview)
    pending = PendingImport.objects.get()
    confirmed = client.post(reverse("imports:confirm", kwargs={"pk": pending.pk}), {"apply_definitions": "on"})
    assert confirmed.status_code == 302
    assert Action.objects.get(number=2).target_date_text == "March 2031"
