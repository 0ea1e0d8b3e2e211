"""Every file in the bad-file corpus is refused with a clear message and changes nothing, in the command's
importer and in the browser."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.imports import reading
from actions.imports.apply import ImportRefused, apply_import
from actions.imports.reading import (
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_ENTRIES,
    read_plan_file,
)
from actions.imports.rows import target_headings
from actions.models import Action, ImportBatch, PendingImport, ReportingPeriod, StatusUpdate
from targets.models import Target
from tests.bad_files import corpus, good_workbook, rewritten
from tests.factories import HEADER, make_action, make_targets, make_update, plan_row, workbook_bytes

pytestmark = pytest.mark.django_db

CORPUS = corpus()
IDS = [case for case, *_ in CORPUS]


@pytest.fixture
def plan(db):
    """A small plan: seven targets and two actions with a recorded status."""
    targets = make_targets()
    for number in (1, 2):
        make_update(make_action(number, targets=targets[:1]), "2022-23-q4")


def snapshot():
    return (
        list(Action.objects.order_by("number").values_list("number", "current_update_id")),
        StatusUpdate.objects.count(),
        ImportBatch.objects.count(),
    )


@pytest.mark.parametrize(("case", "name", "data", "expected"), CORPUS, ids=IDS)
def test_the_importer_refuses_each_bad_file(plan, case, name, data, expected):
    parsed = read_plan_file(data, name, target_headings(Target.objects.all()))
    assert not parsed.ok
    assert any(expected in str(problem) for problem in parsed.problems), [str(p) for p in parsed.problems]
    before = snapshot()
    with pytest.raises(ImportRefused):
        apply_import(parsed, ReportingPeriod.objects.for_slug("2023-24-q1"))
    assert snapshot() == before


# Refused by the upload form itself, before the file is kept or read.
FORM_REFUSES = {"over the size limit": "the limit is 10 MB", "empty file": "The submitted file is empty."}
IN_BROWSER = [entry for entry in CORPUS if entry[0] not in FORM_REFUSES]


@pytest.mark.parametrize(("case", "name", "data", "expected"), IN_BROWSER, ids=[entry[0] for entry in IN_BROWSER])
def test_the_browser_shows_each_bad_files_problem_and_confirming_changes_nothing(
    client, plan, plan_admin, case, name, data, expected
):
    client.force_login(plan_admin)
    before = snapshot()
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data), "period": "2023-24-q1"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{name} cannot be imported" in html
    assert "Confirm import" not in html
    client.post(reverse("imports:confirm", kwargs={"pk": PendingImport.objects.get().pk}))
    assert snapshot() == before


@pytest.mark.parametrize("case", FORM_REFUSES)
def test_the_form_refuses_oversized_and_empty_files_before_reading_them(client, plan_admin, case):
    _, name, data, _ = next(entry for entry in CORPUS if entry[0] == case)
    client.force_login(plan_admin)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data), "period": "2023-24-q1"})
    assert response.status_code == 200
    assert FORM_REFUSES[case] in response.content.decode()
    assert not PendingImport.objects.exists()


def _expands_past_the_absolute_limit() -> bytes:
    """A workbook padded to more than MAX_UNCOMPRESSED_BYTES whose compression ratio looks ordinary: a megabyte of
    noise (incompressible) beside 200 MB of blank (very compressible) keeps the ratio near 100."""
    import os

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_bytes([HEADER, plan_row(1)]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry.filename))
        target.writestr("xl/media/noise.bin", os.urandom(1_200_000))
        with target.open("xl/media/blank.bin", "w") as blank:
            chunk = b"\0" * (1 << 20)
            for _ in range(MAX_UNCOMPRESSED_BYTES // len(chunk)):
                blank.write(chunk)
    return out.getvalue()


def test_a_workbook_that_expands_past_the_limit_is_refused_whatever_its_compression_ratio(client, plan, plan_admin):
    data = _expands_past_the_absolute_limit()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
    expanded = sum(entry.file_size for entry in entries)
    assert expanded > MAX_UNCOMPRESSED_BYTES
    assert expanded / sum(entry.compress_size for entry in entries) < MAX_COMPRESSION_RATIO
    assert len(data) < MAX_FILE_BYTES

    parsed = read_plan_file(data, "padded.xlsx", target_headings(Target.objects.all()))
    assert [str(problem) for problem in parsed.problems] == [
        f"padded.xlsx expands to {expanded / 1_048_576:.0f} MB when opened, too large to read safely."
    ]
    client.force_login(plan_admin)
    before = snapshot()
    response = client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile("padded.xlsx", data), "period": "2023-24-q1"}
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "too large to read safely" in page.content.decode()
    assert "Confirm import" not in page.content.decode()
    assert snapshot() == before


def problems(data: bytes) -> list[str]:
    """What the importer says of `data` uploaded as plan.xlsx."""
    return [
        str(problem) for problem in read_plan_file(data, "plan.xlsx", target_headings(Target.objects.all())).problems
    ]


def test_a_workbook_exactly_at_the_part_and_size_limits_is_read(plan, monkeypatch):
    """The limits are the most a workbook may have: exactly that many parts, or exactly that many bytes
    expanded, in all or in one part, is read; one more is refused."""

    good = good_workbook()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        own_parts = len(archive.infolist())
        expanded = sum(entry.file_size for entry in archive.infolist())
        largest = max(archive.infolist(), key=lambda entry: entry.file_size)

    def padded(parts):
        return rewritten(good, add={f"xl/extra/{n}.xml": b"<a/>" for n in range(parts - own_parts)})

    assert problems(padded(MAX_ZIP_ENTRIES)) == []
    assert problems(padded(MAX_ZIP_ENTRIES + 1)) == [
        f"plan.xlsx holds {MAX_ZIP_ENTRIES + 1} parts; a workbook has far fewer. It was not opened."
    ]
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", expanded)
    assert problems(good) == []
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", expanded - 1)
    assert problems(good) == ["plan.xlsx expands to 0 MB when opened, too large to read safely."]
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
    monkeypatch.setattr(reading, "MAX_PART_BYTES", largest.file_size)
    assert problems(good) == []
    monkeypatch.setattr(reading, "MAX_PART_BYTES", largest.file_size - 1)
    assert problems(good) == [
        f"plan.xlsx: its part {largest.filename} expands to 0 MB; the limit for one part is 0 MB. It was not opened."
    ]


def test_the_size_refusals_state_megabytes_of_1048576_bytes_and_the_ratio_limit_is_inclusive(plan, monkeypatch):
    """A workbook (or one part of it) expanding to exactly 1.5 MB is said to expand to 2 MB, as Python rounds;
    a ratio exactly at the limit is read."""

    good = good_workbook()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        expanded = sum(entry.file_size for entry in archive.infolist())
    padded = rewritten(good, add={"xl/media/padding.bin": b"\0" * (3 * 1_048_576 // 2 - expanded)})
    with zipfile.ZipFile(io.BytesIO(padded)) as archive:
        entries = archive.infolist()
    assert sum(entry.file_size for entry in entries) == 3 * 1_048_576 // 2
    ratio = sum(entry.file_size for entry in entries) / sum(entry.compress_size for entry in entries)

    monkeypatch.setattr(reading, "MAX_COMPRESSION_RATIO", ratio)
    assert problems(padded) == []
    monkeypatch.setattr(reading, "MAX_COMPRESSION_RATIO", MAX_COMPRESSION_RATIO)
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", 1_048_576)
    assert problems(padded) == ["plan.xlsx expands to 2 MB when opened, too large to read safely."]
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
    monkeypatch.setattr(reading, "MAX_COMPRESSION_RATIO", 10_000)  # zeros compress far past the real limit
    monkeypatch.setattr(reading, "MAX_PART_BYTES", 1_048_576)
    one_part = rewritten(good, add={"xl/media/padding.bin": b"\0" * (3 * 1_048_576 // 2)})
    assert problems(one_part) == [
        "plan.xlsx: its part xl/media/padding.bin expands to 2 MB; the limit for one part is 1 MB. It was not opened."
    ]
