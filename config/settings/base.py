"""Settings shared by every environment. Values that differ between machines come from config.env."""

from __future__ import annotations

import hashlib

from config.env import BASE_DIR, env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("GONGZHI_SECRET_KEY", "")
DEBUG = env_bool("GONGZHI_DEBUG", False)
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # "ninja" must be installed so that the API docs are served from local static files, not a CDN.
    "ninja",
    "django_htmx",
    "template_partials",
    "treebeard",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.territory",
    "gongzhi.registry",
    "gongzhi.volunteering",
    "gongzhi.stewardship",
    "gongzhi.votes",
    "gongzhi.consultation",
    "gongzhi.cases",
    "gongzhi.campaigns",
    "gongzhi.robots",
    "gongzhi.party",
    "gongzhi.publicity",
    "gongzhi.dashboards",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "gongzhi.accounts.middleware.ActorMiddleware",
    "gongzhi.accounts.middleware.SessionSecurityMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gongzhi.core.context_processors.shell",
            ],
        },
    }
]

# --- Database ------------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL is the production database. Both run the suite.
DATABASE_ENGINE = env_str("GONGZHI_DB", "sqlite")
if DATABASE_ENGINE == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("GONGZHI_DB_NAME", "gongzhi"),
            "USER": env_str("GONGZHI_DB_USER", "postgres"),
            "PASSWORD": env_str("GONGZHI_DB_PASSWORD", ""),
            "HOST": env_str("GONGZHI_DB_HOST", "127.0.0.1"),
            "PORT": env_str("GONGZHI_DB_PORT", "5432"),
            "CONN_MAX_AGE": env_int("GONGZHI_DB_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    }
elif DATABASE_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("GONGZHI_SQLITE_PATH", str(BASE_DIR / "var" / "gongzhi.sqlite3")),
            "CONN_MAX_AGE": env_int("GONGZHI_DB_CONN_MAX_AGE", 600),
            "OPTIONS": {
                # IMMEDIATE avoids "database is locked" when a read transaction upgrades to a write.
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                    " PRAGMA cache_size=-65536;"
                ),
            },
        }
    }
else:  # pragma: no cover - configuration error
    raise RuntimeError(f"GONGZHI_DB must be 'sqlite' or 'postgres', got {DATABASE_ENGINE!r}.")

# A PostgreSQL streaming replica (scripts/replica.sh, docs/scaling.md): the cockpit, exports, measures and
# Open311 reads go there (gongzhi/core/dbrouter.py). Unset: one database, no router, no middleware.
GONGZHI_READ_YOUR_WRITES_SECONDS = env_int("GONGZHI_READ_YOUR_WRITES_SECONDS", 5)
_replica_host = env_str("GONGZHI_DB_REPLICA_HOST", "")
_replica_port = env_str("GONGZHI_DB_REPLICA_PORT", "")
if DATABASE_ENGINE == "postgres" and (_replica_host or _replica_port):
    DATABASES["replica"] = {
        **DATABASES["default"],
        "NAME": env_str("GONGZHI_DB_REPLICA_NAME", str(DATABASES["default"]["NAME"])),
        "HOST": _replica_host or DATABASES["default"]["HOST"],
        "PORT": _replica_port or "5433",
        # The replica is a copy of the primary's cluster: the test database appears there by replication.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["gongzhi.core.dbrouter.ReplicaRouter"]
    # After SessionSecurityMiddleware: the session and the user are read from the primary before it marks
    # the request (its process_view runs after every middleware's request phase).
    MIDDLEWARE.append("gongzhi.core.middleware.ReplicaRoutingMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache and sessions -----------------------------------------------------------------------------
def redis_cache(url: str) -> dict[str, object]:
    """Django's own Redis cache: one shared cache for every app node (docs/scaling.md).

    Its keys carry the database's identity: two installations on one Redis (or a test run beside the real
    one) never read each other's cached actors or figures, whose keys are user and row ids.
    """
    default = DATABASES["default"]
    identity = f"{default['ENGINE']}|{default.get('HOST', '')}|{default.get('PORT', '')}|{default['NAME']}"
    prefix = "gongzhi:" + hashlib.sha256(identity.encode()).hexdigest()[:12]
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}


# In memory for one process locally; on Redis when GONGZHI_REDIS_URL names one (production always does,
# production.py), with sessions read from the cache and written through to the database.
GONGZHI_REDIS_URL = env_str("GONGZHI_REDIS_URL", "")
if GONGZHI_REDIS_URL:
    CACHES = {"default": redis_cache(GONGZHI_REDIS_URL)}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A request's Actor (its Duties and person) and API tokens are kept across requests for this long and
# dropped when they change (accounts.actor_cache). Only safe on a cache every worker shares: off (0) by
# default without Redis.
GONGZHI_ACTOR_CACHE_SECONDS = env_int("GONGZHI_ACTOR_CACHE_SECONDS", 300 if GONGZHI_REDIS_URL else 0)

# --- Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gongzhi.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "gongzhi.accounts.passwords.CharacterClassValidator"},
    {"NAME": "gongzhi.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Personal data -------------------------------------------------------------------------------
# Keys for personal data are separate from SECRET_KEY: a leaked or rotated Django secret is not a
# personal-data key event. Format "id:base64key,id:base64key"; the first key encrypts, all decrypt.
PII_ENCRYPTION_KEYS = env_str("GONGZHI_PII_KEYS", "")
PII_BLIND_INDEX_KEY = env_str("GONGZHI_BLIND_INDEX_KEY", "")

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "gongzhi" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

# --- Background work -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Gongzhi -------------------------------------------------------------------------------------
GONGZHI_DEMO_PASSWORD = "Gongzhi@2026"  # noqa: S105 - the documented demo password
GONGZHI_PAGE_SIZE = 50
# An Excel export is built in memory up to this size, then in a file of the temporary directory (TMPDIR);
# a 100,000-row ledger is about 6 MB.
GONGZHI_EXPORT_SPOOL_BYTES = env_int("GONGZHI_EXPORT_SPOOL_BYTES", 16 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Login security (MLPS level 3) ------------------------------------------------------------------
GONGZHI_LOCKOUT_FAILURES = env_int("GONGZHI_LOCKOUT_FAILURES", 5)
GONGZHI_LOCKOUT_MINUTES = env_int("GONGZHI_LOCKOUT_MINUTES", 15)
# A shared address (an office, a housing estate's NAT) is throttled only far above one account's limit.
GONGZHI_ADDRESS_THROTTLE_FAILURES = env_int("GONGZHI_ADDRESS_THROTTLE_FAILURES", 50)
GONGZHI_ADDRESS_THROTTLE_MINUTES = env_int("GONGZHI_ADDRESS_THROTTLE_MINUTES", 15)
# Rate limits on POSTs per client address (gongzhi.core.ratelimit), "count/seconds" in a fixed window.
# Generous on purpose: a whole office or a compound's NAT shares one address, so ~30 staff logging in of
# a morning, or neighbours reporting together, stay well under them; a script hammering does not.
GONGZHI_RATE_LOGIN = env_str("GONGZHI_RATE_LOGIN", "30/60")
GONGZHI_RATE_REPORT = env_str("GONGZHI_RATE_REPORT", "20/60")
GONGZHI_RATE_OPEN311 = env_str("GONGZHI_RATE_OPEN311", "60/60")
# Reverse proxies whose X-Forwarded-For is believed (nginx on the same machine: "127.0.0.1,::1").
GONGZHI_TRUSTED_PROXIES = env_list("GONGZHI_TRUSTED_PROXIES", [])
GONGZHI_IDLE_TIMEOUT_MINUTES = env_int("GONGZHI_IDLE_TIMEOUT_MINUTES", 30)
# TOTP for every role that can reveal personal data. Development turns it off so that the demo
# personas log in with the password alone (GONGZHI_REQUIRE_2FA=0 in config/settings/dev.py).
GONGZHI_REQUIRE_2FA = env_bool("GONGZHI_REQUIRE_2FA", True)
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "共治 Gongzhi"
# Access log of personal data: at least 180 days (Cybersecurity Law Art. 21).
GONGZHI_ACCESS_LOG_RETENTION_DAYS = max(180, env_int("GONGZHI_ACCESS_LOG_RETENTION_DAYS", 180))

# --- Security headers -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No 'unsafe-inline' anywhere: scripts and styles come from our own static files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Apps that contribute entries to the main navigation (each module has NAV_ITEMS).
GONGZHI_NAV_MODULES = [
    "gongzhi.core.nav",
    "gongzhi.territory.nav",
    "gongzhi.registry.nav",
    "gongzhi.volunteering.nav",
    "gongzhi.stewardship.nav",
    "gongzhi.votes.nav",
    "gongzhi.consultation.nav",
    "gongzhi.cases.nav",
    "gongzhi.campaigns.nav",
    "gongzhi.party.nav",
    "gongzhi.publicity.nav",
    "gongzhi.accounts.nav",
    "gongzhi.dashboards.nav",
]

# Apps that lend badges to people and households shown by apps below them (core.badges).
GONGZHI_BADGE_MODULES = ["gongzhi.party.badges"]

# --- API --------------------------------------------------------------------------------------------
GONGZHI_API_RATE = env_str("GONGZHI_API_RATE", "1200/m")

# --- Scheduled jobs (python manage.py run_scheduler; tasks run in `manage.py db_worker`) ---------------
# (name, cron in Asia/Shanghai, task). Each app appends its own jobs below.
# A task RUNNING longer than this is taken for one whose worker died, and is queued again (core/workers.py).
GONGZHI_TASK_STALE_MINUTES = env_int("GONGZHI_TASK_STALE_MINUTES", 30)
GONGZHI_SCHEDULE = [
    ("prune-logs", "30 3 * * *", "gongzhi.core.tasks.prune_logs"),
    # Tasks a killed worker left RUNNING go back to the queue (gongzhi/core/workers.py).
    ("tasks-reclaim", "*/5 * * * *", "gongzhi.core.tasks.reclaim_tasks"),
    ("volunteering-points-check", "15 4 * * *", "gongzhi.volunteering.tasks.points_check"),
    # Polls open when their notice period ends and close at their deadline, without anyone pressing a button.
    ("votes-advance", "*/5 * * * *", "gongzhi.votes.tasks.advance_polls"),
    # Overdue follow-up actions of 议事角 topics are reminded each morning until done.
    ("consultation-follow-ups", "0 9 * * *", "gongzhi.consultation.tasks.remind_follow_ups"),
    ("cases-escalate", "*/10 * * * *", "gongzhi.cases.tasks.escalate_overdue"),
]
# Supports that turn a 广言亭 suggestion into a 议事角 topic, unless the community sets its own number.
GONGZHI_SUGGESTION_SUPPORT_THRESHOLD = env_int("GONGZHI_SUGGESTION_SUPPORT_THRESHOLD", 10)

# --- Volunteering ------------------------------------------------------------------------------------
# Star levels (★1–★5) from accumulated certified hours: the common convention of 中国社区志愿者注册管理办法;
# communities with smaller local thresholds set their own (domain-rules.md §2.5).
GONGZHI_VOLUNTEER_STAR_HOURS = [
    int(h) for h in env_list("GONGZHI_VOLUNTEER_STAR_HOURS", ["100", "300", "600", "1000", "1500"])
]
# Who issues the 志愿服务记录证明. Empty name: "<subdistrict>志愿者协会", read from the territory tree.
GONGZHI_VOLUNTEER_ISSUER_NAME = env_str("GONGZHI_VOLUNTEER_ISSUER_NAME", "")
GONGZHI_VOLUNTEER_ISSUER_PERSON_IN_CHARGE = env_str("GONGZHI_VOLUNTEER_ISSUER_PERSON_IN_CHARGE", "")
GONGZHI_VOLUNTEER_ISSUER_CONTACT = env_str("GONGZHI_VOLUNTEER_ISSUER_CONTACT", "")

# Apps that add demo data after the territory and registry (each module has seed_demo_data(rng, today, tier)).
GONGZHI_DEMO_MODULES = [
    "gongzhi.registry.demo",  # first: the campaign demo walks its gaps from 未划网格
    "gongzhi.stewardship.demo",
    "gongzhi.volunteering.demo",
    "gongzhi.votes.demo",
    "gongzhi.consultation.demo",
    "gongzhi.cases.demo",
    "gongzhi.campaigns.demo",
    "gongzhi.robots.demo",  # switched off: the demo never posts to a real group
    "gongzhi.party.demo",
    "gongzhi.publicity.demo",
    "gongzhi.publicity.demo_honour",
    "gongzhi.stewardship.demo_evaluation",  # its indicators read the cases and the ledgers
    "gongzhi.dashboards.demo",  # last: the cockpit's aggregates are computed from all the rest
]

# --- Stewardship -------------------------------------------------------------------------------------
# Days a month each ledger side must have entries of a kind (capped at the month's length; a month in
# progress asks in proportion to the days gone). Ledger completeness is a figure of the evaluation.
GONGZHI_LEDGER_REQUIRED_DAYS = {
    "manager": {"patrol": 31, "cleaning": 31, "safety": 4, "finance": 1},
    "committee": {"meeting": 1},
}
GONGZHI_SCHEDULE += [
    ("stewardship-modes", "5 0 * * *", "gongzhi.stewardship.tasks.modes_sync"),
    ("stewardship-term-reminders", "30 8 * * *", "gongzhi.stewardship.tasks.term_reminders"),
]

# --- Robots (企业微信/钉钉群机器人) ------------------------------------------------------------------------
# Webhook hosts accepted besides the robots' own (qyapi.weixin.qq.com, oapi.dingtalk.com), over http or https:
# a relay in the intranet, or the tests' local server. Empty: only the official hosts, over https.
GONGZHI_ROBOT_EXTRA_HOSTS = env_list("GONGZHI_ROBOT_EXTRA_HOSTS", [])
# Where the people in the group open the pages a message links to ("https://gongzhi.example.gov.cn");
# empty: messages carry no link.
GONGZHI_SITE_URL = env_str("GONGZHI_SITE_URL", "").rstrip("/")
GONGZHI_SCHEDULE += [
    # Deliveries that failed are tried again after 1 min, 5 min, 30 min and 2 h (robots/choices.py).
    ("robots-deliver-due", "*/2 * * * *", "gongzhi.robots.tasks.deliver_due"),
]

# --- Campaigns ---------------------------------------------------------------------------------------
# A grid that stays behind a campaign's pace for this many days is reported one step up the chain.
GONGZHI_CAMPAIGN_BEHIND_DAYS = env_int("GONGZHI_CAMPAIGN_BEHIND_DAYS", 3)
GONGZHI_SCHEDULE += [
    # Each morning: grid workers with gaps are told; grids behind for N days go up the chain.
    ("campaigns-reminders", "0 8 * * *", "gongzhi.campaigns.tasks.send_reminders"),
    # Personal answers past a campaign's retention end date are deleted (PIPL Art. 47); counts stay.
    ("campaigns-retention", "50 3 * * *", "gongzhi.campaigns.tasks.purge_personal_answers"),
]

# --- Publicity (notices) --------------------------------------------------------------------------------
# The SMS provider: a class with send(phone, text) -> message id (gongzhi/publicity/sms.py). The default only
# logs (masked number); a real provider's adapter is named here in production.
GONGZHI_SMS_BACKEND = env_str("GONGZHI_SMS_BACKEND", "gongzhi.publicity.sms.LoggingBackend")
# A notice's attachments: PDF and images, at most this many and this large each.
GONGZHI_NOTICE_ATTACHMENTS = 5
GONGZHI_NOTICE_ATTACHMENT_BYTES = 10 * 1024 * 1024
GONGZHI_SCHEDULE += [
    # Scheduled notices go out, reminders reach the unread, and SMS deliveries are sent and retried.
    ("publicity-notices-due", "*/5 * * * *", "gongzhi.publicity.tasks.notices_due"),
    ("publicity-deliver-due", "*/2 * * * *", "gongzhi.publicity.tasks.deliver_due"),
]

# --- Dashboards (the cockpit) ---------------------------------------------------------------------------
GONGZHI_SCHEDULE += [
    # The aggregates follow the modules: each source whose events moved is folded in (dashboards/services.py).
    ("dashboards-refresh", "*/5 * * * *", "gongzhi.dashboards.tasks.refresh_figures"),
    # Every night all figures are recomputed from the raw tables; any drift is reported and corrected.
    ("dashboards-recompute", "40 2 * * *", "gongzhi.dashboards.tasks.recompute_figures"),
    # On the 1st, the month before's report of the subdistrict and of each community.
    ("dashboards-monthly-report", "0 6 1 * *", "gongzhi.dashboards.tasks.monthly_reports"),
]
