"""Django settings for fupin (系统设置).

SQLite is the embedded default (the demo); PostgreSQL when DATABASE_URL is set.
Tasks run on the database backend by default, on RQ/Redis when FUPIN_TASKS=rq.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("FUPIN_DATA_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("FUPIN_DEBUG", "0") == "1"
DEMO_MODE = os.environ.get("FUPIN_DEMO", "0") == "1"  # `fupin demo` sets it
# The key signs sessions and CSRF tokens: a deployment gives its own (tests set one in fupin.testing).
# Only the demo and a developer's debug run may fall back to a built-in, public one.
SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEMO_MODE or DEBUG):
        raise ImproperlyConfigured(
            "未设置密钥 FUPIN_SECRET_KEY，拒绝启动。生产环境请设置一个随机且保密的密钥，例如：\n"
            "  export FUPIN_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\n"
            "演示请运行 fupin demo（make demo）；开发调试可设 FUPIN_DEBUG=1。"
        )
    SECRET_KEY = "fupin-demo-only-not-secret"
ALLOWED_HOSTS = os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "fupin.access.apps.AuditedAdminConfig",  # django.contrib.admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "fupin.web.apps.StaticFilesConfig",  # django.contrib.staticfiles without source maps
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",  # serves the API docs (Swagger UI) from our own static files, not a CDN
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
    "fupin.timeline",
    "fupin.payments",
    "fupin.appraisal",
    "fupin.management",
    "fupin.monitoring",
    "fupin.portal",
    "fupin.certification",  # 待遇领取资格认证
    "fupin.workinjury",
    "fupin.unemployment",
    "fupin.registration",
    "fupin.complaints",  # 诉求与投诉
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.web.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fupin.web.middleware.NulGuardMiddleware",  # after CSRF: refuses NUL before any view
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "fupin.web.middleware.FriendlyErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Chinese lockout answer
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
                "fupin.web.context.county",
                "fupin.web.nav.nav_modules",
                "fupin.portal.context.portal",
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out accounts and addresses first
    "django.contrib.auth.backends.ModelBackend",
]

# 口令: at least FUPIN_PASSWORD_MIN_LENGTH characters from at least FUPIN_PASSWORD_MIN_CLASSES of
# upper-case letters, lower-case letters, digits and symbols; not a common or all-digit password,
# not close to the user's name. Enforced wherever a password is set through a form (admin, 修改密码).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fupin.access.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("FUPIN_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "fupin.access.passwords.ComplexityValidator",
        "OPTIONS": {"min_classes": int(os.environ.get("FUPIN_PASSWORD_MIN_CLASSES", "2"))},
    },
]

# 登录失败处理 (django-axes): an account is locked after FUPIN_LOGIN_FAILURE_LIMIT failed logins,
# an address after FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT (offices share one address behind NAT), for
# FUPIN_LOGIN_COOLOFF_MINUTES; on the login page, the admin and POST /api/v1/auth/token alike.
AXES_FAILURE_LIMIT = int(os.environ.get("FUPIN_LOGIN_FAILURE_LIMIT", "5"))
FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("FUPIN_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # the order fupin.access.lockout relies on
AXES_HANDLER = "fupin.access.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "fupin.access.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fupin.access.audit.client_ip"
AXES_VERBOSE = False

# API 令牌 lifetime; tokens also die when their user's password changes or the user is deactivated.
FUPIN_TOKEN_HOURS = float(os.environ.get("FUPIN_TOKEN_HOURS", "8"))

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
# Only the files the pages load (fupin.web.vendor): collectstatic gathers and compresses these, not
# the packages' whole dist folders.
VENDOR_FILES = {
    "vendor/htmx": (NODE_MODULES / "htmx.org" / "dist", ["htmx.min.js"]),
    "vendor/bootstrap": (
        NODE_MODULES / "bootstrap" / "dist",
        ["css/bootstrap.min.css", "js/bootstrap.bundle.min.js"],
    ),
    "vendor/echarts": (NODE_MODULES / "echarts" / "dist", ["echarts.min.js"]),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "fupin.web.vendor.VendorFinder",
]
# Once `collectstatic` has gathered the files (production, `fupin demo`), whitenoise serves those with
# their compressed copies; before that (development, tests) it finds them where they lie.
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "vendor").is_dir()
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
BEHIND_PROXY = os.environ.get("FUPIN_BEHIND_PROXY") == "1"
# How many proxies append to X-Forwarded-For; the client's address is that many from the right
# (fupin.access.audit.client_ip, used by the audit trail and the per-address lockout).
FUPIN_PROXY_COUNT = max(1, int(os.environ.get("FUPIN_PROXY_COUNT", "1")))
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS (directly or behind the proxy): cookies travel only over HTTPS.
HTTPS = BEHIND_PROXY or os.environ.get("FUPIN_HTTPS") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("FUPIN_HSTS_SECONDS", "0")) if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from our own static
# files; no inline script, style attribute or event handler (page JS goes in a static file, or an
# inline <script nonce="{{ request.csp_nonce }}">), no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DATA_DIR.mkdir(parents=True, exist_ok=True)
# 佐证材料 (task evidence) are kept here, under random names, served only as downloads through the task page.
MEDIA_ROOT = Path(os.environ.get("FUPIN_MEDIA_DIR", DATA_DIR / "media"))
EVIDENCE_MAX_BYTES = int(os.environ.get("FUPIN_EVIDENCE_MAX_MB", "10")) * 1024 * 1024
# Memory for one indicator query on PostgreSQL (hashed sets of linked rows; see fupin.management.indicators).
REPORT_WORK_MEM_MB = int(os.environ.get("FUPIN_REPORT_WORK_MEM_MB", "256"))
# 统计快照保留天数: `fupin prune_snapshots` keeps every month's last day and the last N days.
SNAPSHOT_KEEP_DAYS = int(os.environ.get("FUPIN_SNAPSHOT_KEEP_DAYS", "62"))
# 上传文件大小上限: one limit for the import page, the API and `fupin import`.
MAX_UPLOAD_BYTES = int(os.environ.get("FUPIN_MAX_UPLOAD_MB", "60")) * 1024 * 1024
# Address space of the child process that parses one uploaded spreadsheet (fupin.sheets.read).
READER_MEMORY_MB = int(os.environ.get("FUPIN_READER_MEMORY_MB", "2048"))

# 本县政策包: the pack (src/fupin/policy/packs/<id>.yaml) whose numbers this county applies.
COUNTY_POLICY_PACK = os.environ.get("FUPIN_POLICY_PACK", "fuliang-2018")
# 本县行政区划代码 (6 digits): the county fupin serves — the area of an account bound to none, and
# "本县" in the rules (a start-up subsidy's firm registered in the county).
COUNTY_CODE = os.environ.get("FUPIN_COUNTY_CODE", "360222")
# 创业担保贷款的承贷银行, when a loan is entered without one.
LOAN_LENDER = os.environ.get("FUPIN_LOAN_LENDER", "浮梁农商银行")

DEMO_BUILDERS: list[
    str
] = []  # "module.function" that add each module's demo data after the registry
PERSON_PAGE_SECTIONS: list[
    str
] = []  # "module.function(request, person) -> html" shown on the person page
DEMO_BUILDERS += [  # 帮扶计划 first: training and employment close its measures
    "fupin.assistance.demo.build",
    "fupin.training.demo.build",
    "fupin.employment.demo.build",
    "fupin.startup.demo.build",
]
PERSON_PAGE_SECTIONS.append("fupin.timeline.sections.person_section")  # 帮扶档案
PERSON_PAGE_SECTIONS.append("fupin.insurance.sections.person_section")
PERSON_PAGE_SECTIONS.append("fupin.registry.identity.person_section")  # 低保、特困期间
PERSON_PAGE_SECTIONS.append("fupin.insurance.claims.sections.person_section")  # 医疗费用结算单
PERSON_PAGE_SECTIONS.append("fupin.appraisal.sections.person_section")  # 慢性病鉴定与医疗证
DEMO_BUILDERS.append("fupin.exchange.demo.build")
DEMO_BUILDERS.append("fupin.appraisal.demo.build")  # 慢性病鉴定
DEMO_BUILDERS.append(
    "fupin.insurance.demo.build"
)  # after the extract: records from it, 2017/2018 代缴 runs
DEMO_BUILDERS.append(
    "fupin.insurance.claims.demo.build"
)  # 医疗费用结算单: after the appraisal (certificates)
# 资金发放: "module.ATTRIBUTE" naming a fupin.payments.providers.Kind (docs/CONVENTIONS.md, "Payments").
PAYMENT_KINDS: list[str] = []
PERSON_PAGE_SECTIONS.append("fupin.payments.sections.person_section")
PAYMENT_KINDS += [
    "fupin.employment.payments.WELFARE_POST",
    "fupin.employment.payments.WORKSHOP_AWARD",
    "fupin.training.payments.JOB_SEEKING",
    "fupin.training.payments.TECHNICAL_AID",
    "fupin.startup.payments.STARTUP_SUBSIDY",
    "fupin.startup.payments.INTEREST_SUBSIDY",
]
PAYMENT_KINDS += [
    "fupin.insurance.payments.MEDICAL_PREMIUM",
    "fupin.insurance.payments.PENSION_PREMIUM",
    "fupin.insurance.payments.PENSION_BACK_PAY",
    "fupin.insurance.payments.ACCOUNT_SUBSIDY",
]
DEMO_BUILDERS.append("fupin.workinjury.demo.build")  # 工伤认定绿色通道 (issue 16)
DEMO_BUILDERS.append("fupin.unemployment.demo.build")  # 价格临时补贴
DEMO_BUILDERS.append("fupin.registration.demo.build")  # 全民参保登记：工伤、失业保险
# Payment batches of what the other builders granted: keep this builder after theirs.
DEMO_BUILDERS.append("fupin.payments.demo.build")
# Bad input is answered in Chinese: the CSRF refusal page (the 400/403/404/500 pages are web/templates/<code>.html).
CSRF_FAILURE_VIEW = "fupin.web.middleware.csrf_failure"
DEMO_BUILDERS.append(
    "fupin.monitoring.demo.build"
)  # 防止返贫监测: after employment, exchange and claims, whose data it reads
DEMO_BUILDERS.append(
    "fupin.portal.demo.build"
)  # 居民服务门户: after claims (its demo resident has one)
# 工作调度 last: its demo plans and bulletin count every other module's demo data.
DEMO_BUILDERS.append("fupin.management.demo.build")
PERSON_PAGE_SECTIONS.append("fupin.monitoring.views.person_section")
# 居民服务门户 (fupin.portal, docs/CONVENTIONS.md "Resident portal"): modules mount their resident pages
# under /portal/<prefix> with PORTAL_MOUNTS.append(("prefix/", "module.urls")) and add menu entries with
# fupin.portal.menu.register(...) in their AppConfig.ready().
PORTAL_MOUNTS: list[tuple[str, str]] = []
# A resident's session ends this many minutes after login (assumed: a shared or lost phone should not stay
# logged in; 20 minutes is enough to read the pages and file a request).
PORTAL_SESSION_MINUTES = int(os.environ.get("FUPIN_PORTAL_SESSION_MINUTES", "20"))
# 居民登录验证码 (fupin.portal.otp). Security settings, not policy: all `assumed` values chosen for a
# six-digit code sent by SMS; a county may tighten them through the environment.
# The message backend (fupin.portal.sms): console (log) by default, a file for the demo, the county's
# gateway adapter in production.
FUPIN_SMS_BACKEND = os.environ.get(
    "FUPIN_SMS_BACKEND",
    "fupin.portal.sms.FileBackend" if DEMO_MODE else "fupin.portal.sms.ConsoleBackend",
)
FUPIN_SMS_FILE = os.environ.get("FUPIN_SMS_FILE", str(DATA_DIR / "sms-outbox.jsonl"))
# A code is good for this many minutes (assumed: long enough for a slow SMS, short enough to guess-proof).
PORTAL_CODE_MINUTES = int(os.environ.get("FUPIN_PORTAL_CODE_MINUTES", "5"))
# Wrong codes allowed for one ID number within PORTAL_LOCK_MINUTES before it is locked for that long
# (assumed: 5 of 1,000,000 codes leaves a guesser one chance in 200,000 per lock period).
PORTAL_CODE_FAILURES = int(os.environ.get("FUPIN_PORTAL_CODE_FAILURES", "5"))
PORTAL_LOCK_MINUTES = int(os.environ.get("FUPIN_PORTAL_LOCK_MINUTES", "30"))
# Codes sent per hour to one ID number, one phone number, one address (assumed: a village station's
# shared connection serves many residents, so the address limit is higher); one code per ID per minute.
PORTAL_CODES_PER_HOUR_ID = int(os.environ.get("FUPIN_PORTAL_CODES_PER_HOUR_ID", "5"))
PORTAL_CODES_PER_HOUR_PHONE = int(os.environ.get("FUPIN_PORTAL_CODES_PER_HOUR_PHONE", "5"))
PORTAL_CODES_PER_HOUR_IP = int(os.environ.get("FUPIN_PORTAL_CODES_PER_HOUR_IP", "30"))
PORTAL_CODE_INTERVAL_SECONDS = int(os.environ.get("FUPIN_PORTAL_CODE_INTERVAL_SECONDS", "60"))
DEMO_BUILDERS.append("fupin.certification.demo.build")  # 资格认证: after the insurance demo
# 工伤认定绿色通道、价格临时补贴、全民参保登记 (issue 16)
PAYMENT_KINDS += [
    "fupin.workinjury.payments.WORK_INJURY_FIRST_PAYMENT",
    "fupin.unemployment.payments.PRICE_SUBSIDY",
]
DEMO_BUILDERS.append("fupin.complaints.demo.build")  # 诉求与投诉
PORTAL_MOUNTS.append(("certification/", "fupin.certification.portal_urls"))  # 居民：资格认证
PORTAL_MOUNTS.append(("complaints/", "fupin.complaints.portal_urls"))  # 居民：我的诉求
PERSON_PAGE_SECTIONS.append("fupin.registration.sections.person_section")  # 工伤、参保、价格补贴
PERSON_PAGE_SECTIONS.append("fupin.certification.sections.person_section")  # 资格认证
PERSON_PAGE_SECTIONS.append("fupin.complaints.sections.person_section")  # 诉求与投诉
