"""The test suite: fixed throw-away keys, a fast hasher, tasks run immediately."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
# Throw-away keys; two encryption keys so that rotation is exercised.
PII_ENCRYPTION_KEYS = "t2:dGVzdC1rZXktdHdvLXRlc3Qta2V5LXR3by10ZXN0LWs=,t1:dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS10ZXN0LWs="
PII_BLIND_INDEX_KEY = "dGVzdC1ibGluZC1pbmRleC1rZXktMzItYnl0ZXMtbG8="
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: the per-process cache is shared by every request, so the actor cache is safe and tested.
GONGZHI_ACTOR_CACHE_SECONDS = 300
if os.environ.get("GONGZHI_DB", "sqlite") == "sqlite":
    # In-memory test database; WAL does not apply there.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}  # noqa: F405
# Static files come from the app folders (finders); no collectstatic in tests.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# Tests that exercise TOTP turn it on with override_settings.
GONGZHI_REQUIRE_2FA = False
