"""Development: `make run`. Debug pages, local keys from var/secrets.env."""

from config.env import env_bool, env_int

from .base import *  # noqa: F403

DEBUG = env_bool("GONGZHI_DEBUG", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# runserver is one process, so its own cache may hold actors; gunicorn with several workers needs Redis.
GONGZHI_ACTOR_CACHE_SECONDS = env_int("GONGZHI_ACTOR_CACHE_SECONDS", 300)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The seeded demo personas log in with the demo password alone; set GONGZHI_REQUIRE_2FA=1 to try TOTP.
GONGZHI_REQUIRE_2FA = env_bool("GONGZHI_REQUIRE_2FA", False)
