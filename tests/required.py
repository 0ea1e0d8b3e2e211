"""Programs some tests need besides Python (Chromium, LibreOffice). Without one, those tests are skipped and
pytest's summary says why; CI sets CCES_REQUIRE_BROWSER=1, which turns each such skip into a failure."""

import os

import pytest

REQUIRE_BROWSER = os.environ.get("CCES_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def skip_or_fail(reason: str) -> None:
    """Skip the test for want of a program, or fail it where the program is required (CI)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"CCES_REQUIRE_BROWSER is set but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)
