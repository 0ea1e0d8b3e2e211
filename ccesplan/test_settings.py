"""Settings for the test suite: the real settings, a fixed secret, a fast hasher, plain HTTP."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client and the browser tests' live server speak plain HTTP; the production
# values of these settings are checked by tests/test_deploy.py in a subprocess.
os.environ.setdefault("DJANGO_HTTPS", "false")

from ccesplan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CCES_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory default: in shared-cache mode a second writer fails at
    # once ("database table is locked") instead of waiting, so concurrent-write tests would not test the
    # locking the product relies on (WAL, BEGIN IMMEDIATE, busy timeout).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".pytest-db.sqlite3")}  # noqa: F405
# No collectstatic before tests: serve and link static files straight from static/.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
