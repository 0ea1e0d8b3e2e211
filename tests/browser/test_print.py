"""The quarterly report on paper: Chromium prints it to an A4 PDF (page.pdf) and pdftotext reads each
page back. No page is empty or nearly so, and there are no more pages than the content needs: the
report's sections each start a page, so the count is bounded by its sections plus what its text fills."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.helpers import sign_in
from tests.required import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDFTOTEXT = shutil.which("pdftotext")
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# A page with less printed text than this is a near-empty page: a stray table row or an empty block.
NEAR_EMPTY = 200
# What a full A4 page of this report holds, in characters of text (measured: 2,000 to 3,500).
FULL_PAGE = 2000


def page_texts(pdf: Path) -> list[str]:
    """Each printed page's text: pdftotext ends every page with a form feed."""
    text = subprocess.run([PDFTOTEXT, "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603 - a fixed command on the PDF this test wrote
    return text.split("\f")[:-1]


def test_report_prints_to_a4_without_empty_pages(page, seeded_plan, browser_users):
    if PDFTOTEXT is None:
        skip_or_fail("pdftotext is not installed (apt-get install poppler-utils); the printout is not checked")
    sign_in(page, "manager")
    page.goto("/reports/2022-23-q4/")
    sections = page.locator("main section.app-page-break").count() + 1
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdf = OUTPUT / "report-2022-23-q4.pdf"
    page.pdf(path=pdf, format="A4", print_background=True)

    texts = page_texts(pdf)
    sizes = [len("".join(text.split())) for text in texts]
    for number, size in enumerate(sizes, start=1):
        assert size >= NEAR_EMPTY, f"page {number} of {len(texts)} is (nearly) empty: {size} characters {sizes}"
    needed = sections + sum(sizes) // FULL_PAGE
    assert len(texts) <= needed, f"{len(texts)} pages for {sections} sections and {sum(sizes)} characters {sizes}"
    # The printed page says what it is, and the site's chrome is gone.
    assert "2022-23 Q4" in texts[0] or "2022/23 Q4" in texts[0]
    assert "printed" in texts[0]
    assert "Sign out" not in "".join(texts)
    assert "Accessibility statement" not in texts[-1]
