"""Settings for the test suite: the project's settings in development mode, made fast."""

import os

# Tests never run in production; this only supplies the development defaults.
os.environ.setdefault("DJANGO_DEBUG", "1")

from mofa_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
