"""Django settings for fupin.

SQLite is the embedded default (the demo); PostgreSQL when DATABASE_URL is set.
Tasks run on the database backend by default, on RQ/Redis when FUPIN_TASKS=rq.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("FUPIN_DATA_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY", "fupin-dev-only-not-secret")
DEBUG = os.environ.get("FUPIN_DEBUG", "0") == "1"
DEMO_MODE = os.environ.get("FUPIN_DEMO", "0") == "1"
ALLOWED_HOSTS = os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "fupin.areas",
    "fupin.access",
    "fupin.registry",
    "fupin.web",
    "fupin.api",
    "fupin.demo",
    "fupin.insurance",
    "fupin.exchange",
    "fupin.employment",
    "fupin.training",
    "fupin.startup",
    "fupin.assistance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.web.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fupin.web.middleware.FriendlyErrorMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fupin.web.context.user_area",
                "fupin.web.nav.nav_modules",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'fupin.sqlite3'}",
        conn_max_age=int(os.environ.get("FUPIN_CONN_MAX_AGE", "60")),
    )
}
if os.environ.get("FUPIN_TEST_DB"):  # lets parallel test runs on one server use their own database
    DATABASES["default"]["TEST"] = {"NAME": os.environ["FUPIN_TEST_DB"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end libraries come from npm at set-up (package.json / package-lock.json), never a CDN.
NODE_MODULES = Path(os.environ.get("FUPIN_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
WHITENOISE_USE_FINDERS = True
# Production serves what `fupin collectstatic` gathered into STATIC_ROOT (gzipped beside each file);
# re-reading the disk on every request is for development only (whitenoise's advice).
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": (
        {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
        if os.environ.get("FUPIN_TASKS") == "rq"
        else {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    )
}
if os.environ.get("FUPIN_TASKS") == "immediate":
    TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUPIN_LOG_LEVEL", "WARNING")},
}

# Reverse proxies on county intranets terminate TLS; trust their header only when told to.
if os.environ.get("FUPIN_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_DIR.mkdir(parents=True, exist_ok=True)
# 本县政策包: the pack (src/fupin/policy/packs/<id>.yaml) whose numbers this county applies.
COUNTY_POLICY_PACK = os.environ.get("FUPIN_POLICY_PACK", "fuliang-2018")

DEMO_BUILDERS: list[str] = []  # "module.function" that add each module's demo data after the registry
PERSON_PAGE_SECTIONS: list[str] = []  # "module.function(request, person) -> html" shown on the person page
DEMO_BUILDERS.append("fupin.employment.demo.build")
PERSON_PAGE_SECTIONS.append("fupin.assistance.sections.person_section")
DEMO_BUILDERS.append("fupin.exchange.demo.build")
