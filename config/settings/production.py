"""Production only tightens: HTTPS, secure cookies, no debug, keys required."""

from config.env import env_int, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("GONGZHI_SECRET_KEY")
PII_ENCRYPTION_KEYS = env_str("GONGZHI_PII_KEYS")
PII_BLIND_INDEX_KEY = env_str("GONGZHI_BLIND_INDEX_KEY")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("GONGZHI_HSTS_SECONDS", 31536000)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sessions and the cache on Redis, shared by every app node (docs/scaling.md); the local Redis unless named.
CACHES = {"default": redis_cache(env_str("GONGZHI_REDIS_URL", "redis://127.0.0.1:6379/0"))}  # noqa: F405
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
