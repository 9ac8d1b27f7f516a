"""Settings for the test suite: the real settings with test-only defaults and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("VOLUME_STORAGE_DIR", tempfile.mkdtemp(prefix="readerstudy-volumes-"))
os.environ.setdefault("INBOX_STORAGE_DIR", tempfile.mkdtemp(prefix="readerstudy-inbox-"))
os.environ.setdefault("UPLOAD_STORAGE_DIR", tempfile.mkdtemp(prefix="readerstudy-uploads-"))
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("FRONTEND_TEST_PROBES", "True")
# The suite signs the same users in thousands of times a minute; tests of throttling set rates.
os.environ.setdefault("API_THROTTLE_ANON", "1000000/minute")
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")

from readerstudy.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = tempfile.mkdtemp(prefix="readerstudy-static-")
