"""Production only tightens: HTTPS, secure cookies, no debug, keys required.

Behind nginx on the same machine (deploy/nginx/gongzhi.conf): nginx terminates TLS, redirects plain HTTP,
serves STATIC_ROOT itself and passes X-Forwarded-Proto and X-Forwarded-For. `manage.py check --deploy
--fail-level WARNING` passes with the environment of docs/deployment.md (tests/test_production_settings.py).
"""

from pathlib import Path

from config.env import BASE_DIR, env_bool, env_int, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("GONGZHI_SECRET_KEY")
PII_ENCRYPTION_KEYS = env_str("GONGZHI_PII_KEYS")
PII_BLIND_INDEX_KEY = env_str("GONGZHI_BLIND_INDEX_KEY")

# nginx redirects plain HTTP already; Django redirects too, so that a request reaching gunicorn another way
# (a misrouted proxy) still never serves a page over plain HTTP.
SECURE_SSL_REDIRECT = True
# nginx sets X-Forwarded-Proto itself (it overwrites whatever the client sent): believed from it only.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("GONGZHI_HSTS_SECONDS", 31536000)
# The platform runs on its own host name (gongzhi.<district>.gov.cn): every name below it is ours and HTTPS.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGZHI_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" only allows a submission to the browsers' preload list, which takes registrable domains and
# is made by the domain's owner; on a host name below a district's domain it changes nothing. An installation
# that must not carry it sets GONGZHI_HSTS_PRELOAD=0 and accepts check --deploy's warning W021.
SECURE_HSTS_PRELOAD = env_bool("GONGZHI_HSTS_PRELOAD", True)

# Served by nginx from here after `manage.py collectstatic`; uploads (photos, attachments, imports) are
# served only through Django's views, which check who may see them.
STATIC_ROOT = Path(env_str("GONGZHI_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_ROOT = Path(env_str("GONGZHI_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Sessions and the cache on Redis, shared by every app node (docs/scaling.md); the local Redis unless named.
CACHES = {"default": redis_cache(env_str("GONGZHI_REDIS_URL", "redis://127.0.0.1:6379/0"))}  # noqa: F405
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The actor cache (accounts.actor_cache) is safe on the shared Redis cache.
GONGZHI_ACTOR_CACHE_SECONDS = env_int("GONGZHI_ACTOR_CACHE_SECONDS", 300)
