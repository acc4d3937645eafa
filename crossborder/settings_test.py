"""Test settings: the base settings with a fixed key and storages that need no collectstatic."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")

from crossborder.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PSEUDONYM_KEY = "test-pseudonym-key"
# Serve static files from the finders: tests run without collectstatic.
WHITENOISE_AUTOREFRESH = True
# Tests make many API requests as one user: throttling must never make them flaky.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1000000/minute"}}  # noqa: F405
# django-axes refuses an authenticate() without a request, which the test client's login() is:
# off here, and on in the tests of the lockout (tests/accounts), which log in by real POSTs.
AXES_ENABLED = False
# The read replica: a mirror of the test database (Django's TEST MIRROR), so that the router's
# tests run without a real one. The suite reads from the primary; the router's tests turn
# REPLICA_READS on (tests/test_router.py), and tests/test_replica.py, run alone in CI with
# DATABASE_REPLICA_URL, reads through a real streaming replica.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES.get("replica", DATABASES["default"]),  # noqa: F405
    "TEST": {"MIRROR": "default"},
}
REPLICA_READS = False
