"""Settings for the test suite: the project's settings in development mode, made fast."""

import os

# Tests never run in production; this only supplies the development defaults.
os.environ.setdefault("DJANGO_DEBUG", "1")
# Quiet test output; tests of the logs raise the level where they listen.
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

from mofa_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Most tests change content inside a transaction that never commits, so the page cache
# (invalidated on commit) would serve them stale pages: tests/mofa_site/test_caching.py turns it on.
PAGE_CACHE_SECONDS = 0
