"""A test that needs a program the machine lacks skips, saying why, except where CI requires the program."""

import pytest

from tests import required


def test_a_missing_program_skips_the_test_with_the_reason(monkeypatch):
    monkeypatch.setattr(required, "REQUIRE_BROWSER", False)
    with pytest.raises(pytest.skip.Exception, match="LibreOffice is not installed"):
        required.skip_or_fail("LibreOffice is not installed")


def test_a_missing_program_fails_the_test_where_ci_requires_it(monkeypatch):
    monkeypatch.setattr(required, "REQUIRE_BROWSER", True)
    with pytest.raises(pytest.fail.Exception, match="CCES_REQUIRE_BROWSER is set but this test cannot run: Chromium"):
        required.skip_or_fail("Chromium not found")
